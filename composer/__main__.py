from composer.entry import main

main()
