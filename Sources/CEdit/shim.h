// libedit (BSD licence), through its readline interface. <editline/readline.h> explicitly: GNU
// readline's (GPL) <readline/readline.h> is also installed and must not be picked up.
#include <stdio.h>
#include <editline/readline.h>
