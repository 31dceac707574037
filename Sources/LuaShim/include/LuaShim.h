// The C that Swift cannot express: Lua's function-like macros as functions, and the trampoline that
// lets a Swift function raise a Lua error only after its own frame has returned (a longjmp across
// Swift frames skips Swift's cleanup and is undefined behaviour).
#ifndef LUA_SHIM_H
#define LUA_SHIM_H

#include <stddef.h>
#include <stdio.h>
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

/// Called by the trampoline with the Swift context of the running function. Returns the number of
/// results pushed, or -1 when it pushed an error value that the trampoline must raise.
typedef int (*ls_dispatch_fn)(lua_State *L, void *context);
/// Releases a Swift context when Lua collects the userdata that owns it.
typedef void (*ls_release_fn)(void *context);

/// Installs the Swift callbacks; idempotent.
void ls_install(ls_dispatch_fn dispatch, ls_release_fn release);

/// Pushes a full userdata owning `context` with the metatable registered as `tname` (created on first
/// use with a `__gc` that calls the release callback). Returns nothing; never raises except on OOM.
void ls_push_box(lua_State *L, void *context, const char *tname);
/// The context held by the box at `idx` if it carries metatable `tname`, else NULL. Never raises.
void *ls_test_box(lua_State *L, int idx, const char *tname);
/// Pushes the C `__gc` that releases a box's context (for metatables made before ls_push_box).
void ls_push_box_gc(lua_State *L);
/// Pushes a Lua function that calls the Swift context through the trampoline.
void ls_push_swift_function(lua_State *L, void *context);

/// Calls the function below `nargs` arguments under a message handler that records a traceback.
/// On error, the message is left on the stack and the traceback is readable with ls_last_traceback.
int ls_pcall_traceback(lua_State *L, int nargs, int nresults);
/// Pushes the traceback recorded by the last failed ls_pcall_traceback (or nil).
void ls_push_last_traceback(lua_State *L);

// Macros of lua.h / lauxlib.h as functions.
int ls_registryindex(void);
void ls_pop(lua_State *L, int n);
void ls_insert(lua_State *L, int idx);
int ls_isnoneornil(lua_State *L, int idx);
lua_Integer ls_tointeger(lua_State *L, int idx, int *isnum);
lua_Number ls_tonumber(lua_State *L, int idx, int *isnum);
int ls_loadbuffer(lua_State *L, const char *buf, size_t size, const char *name);
int ls_loadfile(lua_State *L, const char *filename);
void ls_pushglobaltable(lua_State *L);
/// Lua's pushes of C strings can only fail on memory; this one takes a length so embedded zeros stay.
void ls_pushbytes(lua_State *L, const void *bytes, size_t len);
/// Protected `tostring(v)` of the value at idx: leaves a string (or an error description) on the stack.
const char *ls_tostring_protected(lua_State *L, int idx, size_t *len);
/// The "file:line:" of the nearest caller that is the user's code: C functions and Linkage's own
/// Lua chunks (chunk names starting "=(linkage") are skipped, so errors point at the user's line.
void ls_where_user(lua_State *L);
/// Runs a full garbage collection.
void ls_gc_collect(lua_State *L);
/// Memory in use by the state, in bytes.
size_t ls_gc_bytes(lua_State *L);

// MARK: limits — memory cap, deadline, instruction budget, interrupt (LuaLimits.c)

/// Per-state bookkeeping: the allocator's byte count and cap, the hook's deadline and budget, and
/// the stop flag that a signal handler or another thread may set.
typedef struct ls_limits ls_limits;
/// "Also interrupt" callback: called by ls_interrupt (and so from the SIGINT handler); it must be
/// async-signal-safe, as sqlite3_interrupt is.
typedef void (*ls_interrupt_fn)(void *context);

enum { LS_STOP_NONE = 0, LS_STOP_TIME = 1, LS_STOP_BUDGET = 2, LS_STOP_INTERRUPT = 3 };

/// luaL_newstate (its panic and warning functions) switched to a counting allocator whose user
/// data is the returned limits. NULL when out of memory.
lua_State *ls_newstate(ls_limits **limits);
/// Closes the state safely, also from inside a function it is running: clears the hook and the
/// cap first, so finalizers run unhindered, and detaches the limits (and the SIGINT target).
/// The limits stay allocated until ls_limits_free.
void ls_close(lua_State *L);
void ls_limits_free(ls_limits *limits);

/// The cap in bytes on the state's heap (0: none). Freeing is always allowed; the cap refuses only
/// while Lua code runs, never while Swift or the message handler does.
void ls_set_memory_limit(ls_limits *limits, size_t bytes);
size_t ls_memory_used(const ls_limits *limits);
/// Whether the cap refused an allocation since the last ls_limits_reset.
int ls_memory_refused(const ls_limits *limits);

/// A deadline `seconds` from now (<= 0: none). Checked by the hook every few instructions.
void ls_set_time_limit(ls_limits *limits, double seconds);
/// Stop after about `count` VM instructions from now (<= 0: none); counted at the hook's period.
void ls_set_instruction_budget(ls_limits *limits, long long count);
/// Instructions counted since the budget or reset (at the hook's granularity).
long long ls_instructions(const ls_limits *limits);
/// Clears a stop and a refusal, restarts the deadline's clock and the instruction count.
void ls_limits_reset(ls_limits *limits);
/// Why the state stopped (LS_STOP_*), or LS_STOP_NONE.
int ls_stop_reason(const ls_limits *limits);
/// Checks the deadline now, for long calls outside Lua (a progress handler): returns the stop
/// reason, LS_STOP_NONE when the script may go on.
int ls_limits_poll(ls_limits *limits);
/// Whether the script is being stopped (a stop reason, an interrupt, or the deadline passed),
/// without changing anything: for other threads doing the script's work (a helper connection's
/// progress handler), while the script's own thread may be polling.
int ls_limits_stopping(const ls_limits *limits);

/// Stops the running script at its next instruction, call or return, and calls the "also
/// interrupt" callback. Async-signal-safe and callable from another thread, as lua.c's laction.
void ls_interrupt(ls_limits *limits);
void ls_set_interrupt_callback(ls_limits *limits, ls_interrupt_fn callback, void *context);
/// Routes SIGINT to ls_interrupt(limits). One-shot as in lua.c: a second Ctrl-C before
/// ls_limits_reset re-arms it kills the process. Adds no hook until the signal comes (so, as in
/// lua.c, a busy loop in a coroutine is reached only by a deadline's or budget's count hook).
/// Returns 0, or -1 with errno.
int ls_sigint_install(ls_limits *limits);
/// Restores the SIGINT action that was there before ls_sigint_install. Returns 0, or -1.
int ls_sigint_uninstall(void);

/// Writes `len` bytes of `s` to `f` (the standard output or error) after filtering them; returns
/// nonzero on success. Must not call Lua.
typedef int (*ls_output_filter)(void *context, const char *s, size_t len, FILE *f);
/// Replaces print, io.write and file:write with Lua's own behaviour, except that what they write to
/// the standard output or error passes through `filter`.
void ls_install_output_filter(lua_State *L, ls_output_filter filter, void *context);

#endif
