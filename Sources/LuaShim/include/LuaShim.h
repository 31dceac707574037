// The C that Swift cannot express: Lua's function-like macros as functions, and the trampoline that
// lets a Swift function raise a Lua error only after its own frame has returned (a longjmp across
// Swift frames skips Swift's cleanup and is undefined behaviour).
#ifndef LUA_SHIM_H
#define LUA_SHIM_H

#include <stddef.h>
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
int ls_upvalueindex(int i);
void ls_pop(lua_State *L, int n);
void ls_newtable(lua_State *L);
void ls_insert(lua_State *L, int idx);
void ls_remove(lua_State *L, int idx);
void ls_replace(lua_State *L, int idx);
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
/// The Lua "file:line:" prefix of the caller of the running C function (luaL_where level 1).
void ls_where(lua_State *L, int level);
/// The "file:line:" of the nearest caller that is the user's code: C functions and Linkage's own
/// Lua chunks (chunk names starting "=(linkage") are skipped, so errors point at the user's line.
void ls_where_user(lua_State *L);
/// Runs a full garbage collection.
void ls_gc_collect(lua_State *L);
/// Memory in use by the state, in bytes.
size_t ls_gc_bytes(lua_State *L);

#endif
