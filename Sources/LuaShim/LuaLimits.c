// Limits on a running script: a counting allocator with a cap, and one hook that enforces a
// deadline, an instruction budget and an asynchronous interrupt. Everything that raises does so
// from C (the hook, Lua's allocator path), never across a Swift frame: the cap refuses and the
// hook raises only while `active`, i.e. while Lua code of a protected call runs, not while a Swift
// function, the message handler or Swift at top level does.
#define _POSIX_C_SOURCE 200809L
#include "LuaLimitsInternal.h"
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/// Instructions between two checks of the deadline and the budget: a clock read per thousand
/// instructions costs next to nothing, and a busy loop still stops within microseconds.
#define HOOK_PERIOD 1000

struct ls_limits {
    lua_State *volatile L; // the main thread; NULL once closed (read by the signal handler)
    size_t used;           // bytes the state has allocated, exactly as Lua's own count
    size_t cap;            // 0: none
    int refused;           // the cap refused an allocation since the last reset
    int active;            // Lua code of a protected call is running
    int depth;             // nesting of ls_pcall_traceback calls
    double seconds, deadline;  // 0: none; deadline on the monotonic clock
    long long budget, counted; // 0: none
    int period;            // the count hook's period
    volatile sig_atomic_t interrupted;
    int reason;            // LS_STOP_*, sticky until ls_limits_reset
    int sigint;            // SIGINT is routed here
    ls_interrupt_fn callback;
    void *context;
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

// MARK: allocator

static void *limited_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    ls_limits *lim = (ls_limits *)ud;
    size_t old = ptr == NULL ? 0 : osize; // with no block, osize is a type tag, not a size
    if (nsize == 0) { // freeing is always allowed: lua_close and error recovery depend on it
        free(ptr);
        lim->used -= old;
        return NULL;
    }
    if (nsize > old && lim->cap != 0 && lim->active && lim->used - old + nsize > lim->cap) {
        lim->refused = 1; // Lua collects in an emergency, retries, then raises LUA_ERRMEM itself
        return NULL;
    }
    void *block = realloc(ptr, nsize);
    if (block != NULL) lim->used = lim->used - old + nsize;
    return block;
}

ls_limits *ls_limits_of(lua_State *L) {
    void *ud = NULL;
    return lua_getallocf(L, &ud) == limited_alloc ? (ls_limits *)ud : NULL;
}

lua_State *ls_newstate(ls_limits **limits) {
    ls_limits *lim = (ls_limits *)calloc(1, sizeof *lim);
    if (lim == NULL) return NULL;
    // luaL_newstate, then our allocator: keeps lauxlib's panic (prints, then Lua aborts) and its
    // warning function (`warn("@on")`) without copying them. Both allocators are realloc/free, and
    // the count starts from Lua's own exact total, so every later free is accounted.
    lua_State *L = luaL_newstate();
    if (L == NULL) { free(lim); return NULL; }
    lim->L = L;
    lim->period = HOOK_PERIOD;
    lim->used = (size_t)lua_gc(L, LUA_GCCOUNT, 0) * 1024 + (size_t)lua_gc(L, LUA_GCCOUNTB, 0);
    lua_setallocf(L, limited_alloc, lim);
    *limits = lim;
    return L;
}

void ls_limits_free(ls_limits *limits) { free(limits); }

int ls_limits_enter(lua_State *L, int active) {
    ls_limits *lim = ls_limits_of(L);
    if (lim == NULL) return 0;
    int previous = lim->active;
    lim->active = active;
    return previous;
}

void ls_limits_restore(lua_State *L, int previous) {
    ls_limits *lim = ls_limits_of(L);
    if (lim != NULL) lim->active = previous;
}

void ls_limits_check_memory(lua_State *L) {
    ls_limits *lim = ls_limits_of(L);
    if (lim == NULL || !lim->active || lim->cap == 0 || lim->used <= lim->cap) return;
    lua_gc(L, LUA_GCCOLLECT, 0); // as Lua does before it gives up on an allocation
    if (lim->used <= lim->cap) return;
    lim->refused = 1;
    lua_settop(L, 0); // the call fails: its results go, which also makes room for the message
    lua_pushliteral(L, "not enough memory"); // Lua's own message, interned at creation: no allocation
    lua_error(L);
}

void ls_limits_pcall_enter(lua_State *L) {
    ls_limits *lim = ls_limits_of(L);
    if (lim == NULL) return;
    if (lim->depth++ == 0) lim->refused = 0; // a new top-level call: an old refusal is not its cause
}

void ls_limits_pcall_leave(lua_State *L) {
    ls_limits *lim = ls_limits_of(L);
    if (lim != NULL) lim->depth--;
}

// MARK: the hook

static void limits_hook(lua_State *L, lua_Debug *ar);

/// Once stopped, the hook fires at every instruction, call and return, so a `pcall` that caught
/// the stop gets it again at its caller's next instruction.
static void set_stop_hook(lua_State *L) {
    lua_sethook(L, limits_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

static void arm(ls_limits *lim) {
    lua_State *L = lim->L;
    if (L == NULL) return;
    if (lim->reason != LS_STOP_NONE || lim->interrupted) set_stop_hook(L);
    // Any count hook sends every VM instruction through Lua's trace path (measured: a tight loop
    // takes about twice as long), so there is one only while a deadline or a budget is set. An
    // interrupt alone needs none: it sets the stop hook when it comes, as lua.c's laction does.
    else if (lim->deadline > 0 || lim->budget > 0) lua_sethook(L, limits_hook, LUA_MASKCOUNT, lim->period);
    else lua_sethook(L, NULL, 0, 0);
}

static void limits_hook(lua_State *L, lua_Debug *ar) {
    ls_limits *lim = ls_limits_of(L);
    if (lim == NULL) return;
    if (lim->reason == LS_STOP_NONE) {
        if (lim->interrupted) {
            lim->reason = LS_STOP_INTERRUPT;
        } else if (ar->event == LUA_HOOKCOUNT) {
            lim->counted += lim->period;
            if (lim->budget > 0 && lim->counted >= lim->budget) lim->reason = LS_STOP_BUDGET;
            else if (lim->deadline > 0 && now() >= lim->deadline) lim->reason = LS_STOP_TIME;
        }
        if (lim->reason == LS_STOP_NONE) return;
        set_stop_hook(L);
        if (lim->L != NULL && lim->L != L) set_stop_hook(lim->L); // stopped inside a coroutine
    }
    if (!lim->active) return;
    // Not on the call or return of a C function: that may be the message handler, and an error
    // there would be an error in error handling. The next Lua instruction raises instead.
    if (ar->event != LUA_HOOKCOUNT) {
        lua_getinfo(L, "S", ar);
        if (ar->what[0] == 'C') return;
    }
    char message[96];
    switch (lim->reason) {
    case LS_STOP_TIME: snprintf(message, sizeof message, "script stopped: time limit of %g s reached", lim->seconds); break;
    case LS_STOP_BUDGET: snprintf(message, sizeof message, "script stopped: instruction budget of %lld reached", lim->budget); break;
    default: snprintf(message, sizeof message, "interrupted"); break;
    }
    lim->active = 0; // the message may be pushed over the memory cap
    lua_pushstring(L, message);
    lim->active = 1;
    lua_error(L);
}

// MARK: settings

void ls_set_memory_limit(ls_limits *limits, size_t bytes) { limits->cap = bytes; }
size_t ls_memory_used(const ls_limits *limits) { return limits->used; }
int ls_memory_refused(const ls_limits *limits) { return limits->refused; }

void ls_set_time_limit(ls_limits *limits, double seconds) {
    limits->seconds = seconds > 0 ? seconds : 0;
    limits->deadline = seconds > 0 ? now() + seconds : 0;
    arm(limits);
}

void ls_set_instruction_budget(ls_limits *limits, long long count) {
    limits->budget = count > 0 ? count : 0;
    limits->counted = 0;
    limits->period = count > 0 && count < HOOK_PERIOD ? (int)count : HOOK_PERIOD;
    arm(limits);
}

long long ls_instructions(const ls_limits *limits) { return limits->counted; }
int ls_stop_reason(const ls_limits *limits) { return limits->reason; }

int ls_limits_poll(ls_limits *limits) {
    if (limits->reason == LS_STOP_NONE) {
        if (limits->interrupted) limits->reason = LS_STOP_INTERRUPT;
        else if (limits->deadline > 0 && now() >= limits->deadline) limits->reason = LS_STOP_TIME;
        if (limits->reason != LS_STOP_NONE) arm(limits);
    }
    return limits->reason;
}

void ls_limits_after_failure(lua_State *L) {
    ls_limits *lim = ls_limits_of(L);
    if (lim != NULL) ls_limits_poll(lim);
}

int ls_limits_stopping(const ls_limits *limits) {
    // Reads only: `reason` is written by the script's thread, hence the atomic load.
    if (__atomic_load_n(&limits->reason, __ATOMIC_RELAXED) != LS_STOP_NONE || limits->interrupted) return 1;
    return limits->deadline > 0 && now() >= limits->deadline;
}

// MARK: interrupt and SIGINT

static _Atomic(ls_limits *) sigint_target = NULL;
static struct sigaction previous_action;
static int have_previous = 0;

static void on_sigint(int sig) {
    (void)sig;
    ls_limits *lim = atomic_load(&sigint_target);
    if (lim != NULL) ls_interrupt(lim);
}

void ls_interrupt(ls_limits *limits) {
    // Only what lua.c's laction does, plus the callback: a flag and a hook.
    limits->interrupted = 1;
    lua_State *L = limits->L;
    if (L != NULL) set_stop_hook(L);
    ls_interrupt_fn callback = limits->callback;
    if (callback != NULL) callback(limits->context);
}

void ls_set_interrupt_callback(ls_limits *limits, ls_interrupt_fn callback, void *context) {
    limits->callback = NULL; // never a new callback with an old context
    limits->context = context;
    limits->callback = callback;
}

static int route_sigint(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_sigint;
    sigemptyset(&action.sa_mask);
    // One-shot, as lua.c: if the script does not stop, a second Ctrl-C kills the process.
    action.sa_flags = SA_RESTART | SA_RESETHAND;
    if (sigaction(SIGINT, &action, have_previous ? NULL : &previous_action) != 0) return -1;
    have_previous = 1;
    return 0;
}

int ls_sigint_install(ls_limits *limits) {
    ls_limits *old = atomic_exchange(&sigint_target, limits);
    if (old != NULL && old != limits) {
        old->sigint = 0;
        arm(old);
    }
    limits->sigint = 1;
    return route_sigint();
}

int ls_sigint_uninstall(void) {
    ls_limits *old = atomic_exchange(&sigint_target, NULL);
    if (old != NULL) {
        old->sigint = 0;
        arm(old);
    }
    if (!have_previous) return 0;
    have_previous = 0;
    return sigaction(SIGINT, &previous_action, NULL);
}

void ls_limits_reset(ls_limits *limits) {
    limits->interrupted = 0;
    limits->reason = LS_STOP_NONE;
    limits->refused = 0;
    limits->counted = 0;
    if (limits->seconds > 0) limits->deadline = now() + limits->seconds;
    if (limits->sigint && atomic_load(&sigint_target) == limits) route_sigint(); // re-arm the one-shot
    arm(limits);
}

void ls_close(lua_State *L) {
    ls_limits *lim = ls_limits_of(L);
    if (lim != NULL) {
        ls_limits *self = lim;
        atomic_compare_exchange_strong(&sigint_target, &self, NULL);
        lim->L = NULL;  // ls_interrupt from now on only sets the flag
        lim->active = 0; // finalizers may allocate beyond the cap, and the hook does not raise
    }
    lua_sethook(L, NULL, 0, 0);
    lua_close(L);
}
