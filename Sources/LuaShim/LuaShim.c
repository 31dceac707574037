#include "LuaShim.h"
#include "LuaLimitsInternal.h"
#include <string.h>

static ls_dispatch_fn swift_dispatch = NULL;
static ls_release_fn swift_release = NULL;
static const char *FUNCTION_BOX = "linkage.function";
static const char *TRACEBACK_KEY = "linkage.traceback";

void ls_install(ls_dispatch_fn dispatch, ls_release_fn release) {
    swift_dispatch = dispatch;
    swift_release = release;
}

static int box_gc(lua_State *L) {
    void **slot = (void **)lua_touserdata(L, 1);
    if (slot != NULL && *slot != NULL) {
        void *context = *slot;
        *slot = NULL; // a resurrected or twice-closed box must not release twice
        swift_release(context);
    }
    return 0;
}

void ls_push_box_gc(lua_State *L) { lua_pushcfunction(L, box_gc); }

void ls_push_box(lua_State *L, void *context, const char *tname) {
    void **slot = (void **)lua_newuserdatauv(L, sizeof(void *), 0);
    *slot = context;
    if (luaL_newmetatable(L, tname)) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
}

void *ls_test_box(lua_State *L, int idx, const char *tname) {
    void **slot = (void **)luaL_testudata(L, idx, tname);
    return slot == NULL ? NULL : *slot;
}

// Every Swift function runs through here. Swift pushes its results, or an error value and -1;
// the error is raised here, after the Swift frame is gone.
static int trampoline(lua_State *L) {
    void **slot = (void **)lua_touserdata(L, lua_upvalueindex(1));
    // While Swift runs, the memory cap does not refuse and the hook does not raise: either would
    // longjmp across Swift frames. The cap is checked once Swift has returned.
    int active = ls_limits_enter(L, 0);
    int n = swift_dispatch(L, *slot);
    ls_limits_restore(L, active);
    if (n < 0) {
        ls_limits_after_failure(L);
        return lua_error(L);
    }
    ls_limits_check_memory(L);
    return n;
}

void ls_push_swift_function(lua_State *L, void *context) {
    ls_push_box(L, context, FUNCTION_BOX);
    lua_pushcclosure(L, trampoline, 1);
}

static int message_handler(lua_State *L) {
    // The traceback is built beyond the memory cap and without stops (the reserve it needs).
    int active = ls_limits_enter(L, 0);
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) {
            msg = lua_tostring(L, -1);
        } else {
            msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
        }
    }
    luaL_traceback(L, L, NULL, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, TRACEBACK_KEY);
    lua_pushstring(L, msg);
    ls_limits_restore(L, active);
    return 1;
}

int ls_pcall_traceback(lua_State *L, int nargs, int nresults) {
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, message_handler);
    lua_insert(L, base);
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, TRACEBACK_KEY);
    ls_limits_pcall_enter(L);
    int active = ls_limits_enter(L, 1); // the limits apply to the Lua code it runs
    int status = lua_pcall(L, nargs, nresults, base);
    ls_limits_restore(L, active);
    ls_limits_pcall_leave(L);
    lua_remove(L, base);
    return status;
}

void ls_push_last_traceback(lua_State *L) {
    lua_getfield(L, LUA_REGISTRYINDEX, TRACEBACK_KEY);
}

int ls_registryindex(void) { return LUA_REGISTRYINDEX; }
void ls_pop(lua_State *L, int n) { lua_pop(L, n); }
void ls_insert(lua_State *L, int idx) { lua_insert(L, idx); }
int ls_isnoneornil(lua_State *L, int idx) { return lua_isnoneornil(L, idx); }
lua_Integer ls_tointeger(lua_State *L, int idx, int *isnum) { return lua_tointegerx(L, idx, isnum); }
lua_Number ls_tonumber(lua_State *L, int idx, int *isnum) { return lua_tonumberx(L, idx, isnum); }
// lua_load is protected, so the memory cap may refuse while it parses (a huge chunk). Not so for
// luaL_loadfilex, which pushes the chunk name and its error messages unprotected.
int ls_loadbuffer(lua_State *L, const char *buf, size_t size, const char *name) {
    int active = ls_limits_enter(L, 1);
    int status = luaL_loadbufferx(L, buf, size, name, "t");
    ls_limits_restore(L, active);
    return status;
}
int ls_loadfile(lua_State *L, const char *filename) { return luaL_loadfilex(L, filename, "t"); }
void ls_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
void ls_pushbytes(lua_State *L, const void *bytes, size_t len) { lua_pushlstring(L, (const char *)bytes, len); }

static int tostring_k(lua_State *L) {
    luaL_tolstring(L, 1, NULL);
    return 1;
}

const char *ls_tostring_protected(lua_State *L, int idx, size_t *len) {
    idx = lua_absindex(L, idx);
    lua_pushcfunction(L, tostring_k);
    lua_pushvalue(L, idx);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK && lua_type(L, -1) != LUA_TSTRING) {
        lua_pop(L, 1);
        lua_pushstring(L, "(error in __tostring)");
    }
    return lua_tolstring(L, -1, len);
}

void ls_where_user(lua_State *L) {
    lua_Debug ar;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "Sl", &ar);
        if (ar.currentline <= 0) continue;
        if (strncmp(ar.source, "=(linkage", 9) == 0) continue;
        lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
        return;
    }
    lua_pushliteral(L, "");
}
void ls_gc_collect(lua_State *L) { lua_gc(L, LUA_GCCOLLECT, 0); }
size_t ls_gc_bytes(lua_State *L) {
    return (size_t)lua_gc(L, LUA_GCCOUNT, 0) * 1024 + (size_t)lua_gc(L, LUA_GCCOUNTB, 0);
}
