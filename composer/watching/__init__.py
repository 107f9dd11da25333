"""The engine behind `compose watch`; its public face is `composer.watch`."""
