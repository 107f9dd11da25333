from composer.entry import script

script()
