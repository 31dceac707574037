// print, io.write and file:write as Lua 5.4's own (lbaselib.c, liolib.c), with one difference:
// what goes to the standard output or error passes through a filter first (linkage masks personal
// data there). Being C functions with Lua's own argument checks, they fail with Lua's own messages.
#include "LuaShim.h"
#include <stdio.h>

// The registry key of io's default output file (liolib.c: IO_PREFIX "output").
#define LUA_IO_OUTPUT_KEY "_IO_output"

typedef struct {
    ls_output_filter filter;
    void *context;
} OutputFilter;

static OutputFilter *filter_of(lua_State *L) {
    return (OutputFilter *)lua_touserdata(L, lua_upvalueindex(1));
}

/// Writes `s` to `f`, through the filter when `f` is a terminal-facing standard stream.
static int put(OutputFilter *of, FILE *f, const char *s, size_t len) {
    if (of->filter != NULL && (f == stdout || f == stderr)) return of->filter(of->context, s, len, f);
    return fwrite(s, 1, len, f) == len;
}

static int filtered_print(lua_State *L) {
    OutputFilter *of = filter_of(L);
    int n = lua_gettop(L);
    for (int i = 1; i <= n; i++) {
        size_t l;
        const char *s = luaL_tolstring(L, i, &l);
        if (i > 1) fwrite("\t", 1, 1, stdout);
        put(of, stdout, s, l);
        lua_pop(L, 1);
    }
    fwrite("\n", 1, 1, stdout);
    fflush(stdout);
    return 0;
}

static int g_write(lua_State *L, OutputFilter *of, FILE *f, int arg) {
    int nargs = lua_gettop(L) - arg;
    int status = 1;
    for (; nargs--; arg++) {
        if (lua_type(L, arg) == LUA_TNUMBER) {
            char buffer[64];
            int len = lua_isinteger(L, arg)
                ? snprintf(buffer, sizeof buffer, LUA_INTEGER_FMT, (LUAI_UACINT)lua_tointeger(L, arg))
                : snprintf(buffer, sizeof buffer, LUA_NUMBER_FMT, (LUAI_UACNUMBER)lua_tonumber(L, arg));
            status = status && len > 0 && put(of, f, buffer, (size_t)len);
        } else {
            size_t l;
            const char *s = luaL_checklstring(L, arg, &l);
            status = status && put(of, f, s, l);
        }
    }
    if (status) return 1; // the file is on the top of the stack
    return luaL_fileresult(L, status, NULL);
}

static int filtered_io_write(lua_State *L) {
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_IO_OUTPUT_KEY);
    luaL_Stream *p = (luaL_Stream *)lua_touserdata(L, -1);
    if (p == NULL || p->closef == NULL) return luaL_error(L, "default %s file is closed", "output");
    return g_write(L, filter_of(L), p->f, 1);
}

static int filtered_f_write(lua_State *L) {
    luaL_Stream *p = (luaL_Stream *)luaL_checkudata(L, 1, LUA_FILEHANDLE);
    if (p->closef == NULL) return luaL_error(L, "attempt to use a closed file");
    lua_pushvalue(L, 1);
    return g_write(L, filter_of(L), p->f, 2);
}

/// Pushes `fn` as a C closure over the filter.
static void push_filtered(lua_State *L, lua_CFunction fn, ls_output_filter filter, void *context) {
    OutputFilter *of = (OutputFilter *)lua_newuserdatauv(L, sizeof(OutputFilter), 0);
    of->filter = filter;
    of->context = context;
    lua_pushcclosure(L, fn, 1);
}

void ls_install_output_filter(lua_State *L, ls_output_filter filter, void *context) {
    int top = lua_gettop(L);
    push_filtered(L, filtered_print, filter, context);
    lua_setglobal(L, "print");
    if (lua_getglobal(L, "io") == LUA_TTABLE) {
        push_filtered(L, filtered_io_write, filter, context);
        lua_setfield(L, -2, "write");
    }
    lua_pop(L, 1);
    // file:write is a method of every file handle, found through the metatable's __index.
    if (luaL_getmetatable(L, LUA_FILEHANDLE) == LUA_TTABLE && lua_getfield(L, -1, "__index") == LUA_TTABLE) {
        push_filtered(L, filtered_f_write, filter, context);
        lua_setfield(L, -2, "write");
    }
    lua_settop(L, top);
}
