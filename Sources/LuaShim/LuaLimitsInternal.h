// Shared between LuaShim.c and LuaLimits.c; not part of the public shim.
#ifndef LUA_LIMITS_INTERNAL_H
#define LUA_LIMITS_INTERNAL_H

#include "LuaShim.h"

/// The limits of the state L belongs to, or NULL when L was not made by ls_newstate.
ls_limits *ls_limits_of(lua_State *L);
/// Marks whether Lua code of a protected call is running (1) or Swift or the bridge's own C is (0);
/// returns the previous mark for ls_limits_restore. Only while it is 1 does the memory cap refuse
/// and the hook raise, so neither can longjmp across a Swift frame.
int ls_limits_enter(lua_State *L, int active);
void ls_limits_restore(lua_State *L, int previous);
/// When Lua code resumes after a Swift function with the heap over the cap: raises Lua's memory
/// error unless an emergency collection brings it back under.
void ls_limits_check_memory(lua_State *L);
/// After a Swift function failed: when the script is being stopped (its deadline passed while the
/// function ran, say), records the stop, so the hook raises it and a `pcall` cannot swallow it as
/// the function's own error.
void ls_limits_after_failure(lua_State *L);
/// Around ls_pcall_traceback: a top-level call starts with no refusal recorded.
void ls_limits_pcall_enter(lua_State *L);
void ls_limits_pcall_leave(lua_State *L);

#endif
