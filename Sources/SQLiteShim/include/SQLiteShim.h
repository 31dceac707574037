#ifndef LINKAGE_SQLITE_SHIM_H
#define LINKAGE_SQLITE_SHIM_H

/// Turns off SQLite's memory statistics before the library is first used: with them on, every
/// allocation of every connection takes one process-wide mutex, and connections that read at
/// once on several threads (ParallelReads) spend their time waiting for it. sqlite3_config is
/// variadic, which Swift cannot call. Returns SQLITE_OK, or SQLITE_MISUSE when SQLite was
/// already initialised (then nothing changes).
int linkage_sqlite_disable_memstatus(void);

#endif
