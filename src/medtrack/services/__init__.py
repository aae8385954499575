"""One function per use case, shared by the command line and the screen."""
