import Foundation
import LuaBridge
import XCTest
@testable import LinkageScripting
#if canImport(Glibc)
import Glibc
#endif

/// Issue 7: every function of linkage's Lua API reachable from the globals, called with random
/// values of every Lua type from a seeded generator, inside pcall: the process never traps, and
/// every failure is an error value that is a string and names no Lua address ("table: 0x…").
///
/// What is called: db.*, export.*, import.*, linkage.*, help, and linkage's own print and io.write
/// (the masking wrappers); each collection's methods (with the collection as self, and with a
/// random self), its metamethods (index, call, length, tostring), the same methods on a query of
/// it; and each record's methods (with the record and with a random self) and fields. Left out:
/// Lua's standard library, which is not linkage's (among it os.exit, which ends the process, and
/// io.read, which blocks), and strings with "/" (export.* would take them as paths outside the
/// test's directory; the run's working directory is the test's temporary one). LINKAGE_FUZZ_ITERATIONS sets the number of calls, LINKAGE_FUZZ_SEED the
/// seed, and LINKAGE_FUZZ_TRACE=1 prints each call to stderr before it is made (to find a trap).
final class LuaAPIFuzzTests: RegisterTestCase {
    override var usesFixture: Bool { true }

    static let driver = #"""
        local seed, iterations, trace, strict = ...
        math.randomseed(seed)
        local R = math.random
        local raw_write = io.stderr

        -- What to call: a name and a function taking the random arguments.
        local targets = {}
        local function add(name, f) targets[#targets + 1] = { name = name, f = f } end
        for _, m in ipairs { "db", "export", "import", "linkage" } do
          local names = {}
          for k, v in pairs(_G[m]) do if type(v) == "function" then names[#names + 1] = k end end
          table.sort(names)
          for _, k in ipairs(names) do add(m .. "." .. k, _G[m][k]) end
        end
        add("help", help)
        add("print", print)
        add("io.write", io.write)

        local collections = { "areas", "villages", "communities", "households", "units", "cadres", "links",
          "visits", "activities", "problems", "surveys" }
        local record_methods = { "update", "cadres", "links", "visits", "activities", "problems", "surveys", "units",
          "households", "villages", "communities", "link", "handover", "close" }
        local records, userdata = {}, { io.stdout }
        for _, c in ipairs(collections) do
          local coll = _G[c]
          local methods = getmetatable(coll).__methods
          local names = {}
          for k, v in pairs(methods) do if type(v) == "function" then names[#names + 1] = k end end
          table.sort(names)
          local q = coll:where {}
          userdata[#userdata + 1] = coll
          userdata[#userdata + 1] = q
          for _, k in ipairs(names) do
            add(c .. ":" .. k, function(...) return coll[k](coll, ...) end)
            add(c .. ":where{}:" .. k, function(...) return q[k](q, ...) end)
            add(c .. "." .. k .. "(random self)", methods[k])
          end
          add(c .. "[key]", function(k) return coll[k] end)
          add(c .. "(...)", function(...) return coll(...) end)
          add("#" .. c, function() return #coll end)
          add("tostring(" .. c .. ")", function() return tostring(coll) end)
          local rec = coll:first()
          if rec then
            records[#records + 1] = rec
            for _, m in ipairs(record_methods) do
              local ok, f = pcall(function() return rec[m] end)
              if ok and type(f) == "function" then
                add(c .. " record:" .. m, function(...) return f(rec, ...) end)
                add(c .. " record." .. m .. "(random self)", f)
              end
            end
            add(c .. " record[key]", function(k) return rec[k] end)
            add("tostring(" .. c .. " record)", function() return tostring(rec) end)
          end
        end

        -- Values of every type.
        local words = { "id", "income", "members", "head_name", "name", "code", "kind", "township", "village", "area",
          "linked", "household", "households", "cadre", "record", "db.exec", "csv", "2012-06-30", "2012-13-45", "太京镇",
          "SELECT 1", "SELECT * FROM household", "SELECT ?", "income < ?", ":name", "?", "%s%d%n", "nan", "-0", "1e999",
          "620502197001010014", "rural", "urban", "x.csv", "x.xlsx", "x.json", "other", "date", "reason", "since" }
        local function rstring()
          local k = R(1, 9)
          if k == 1 then return "" end
          if k == 2 then return string.rep("長", R(1, 200000)) end
          if k == 3 then return "a\0b" .. ("\0"):rep(R(0, 3)) end
          if k == 4 then return "\xff\xfe\xc0\x80" .. words[R(#words)] end
          if k <= 6 then
            local t = {}
            for i = 1, R(1, 40) do
              local b = R(0, 255)
              if b == 47 then b = 46 end -- no "/": export.* would write outside the test's directory
              t[i] = string.char(b)
            end
            return table.concat(t)
          end
          return words[R(#words)]
        end
        local dead = coroutine.create(function() end)
        coroutine.resume(dead)
        local functions = {
          function(...) return ... end,
          function() return nil end,
          function() error("fuzz error from a callback") end,
          function() return {} end,
          function() return coroutine.yield(1) end,
          function(...) return select("#", ...) end,
        }
        local rvalue
        local function rtable(depth)
          local k = R(1, 6)
          if k == 1 then return {} end
          if k == 2 then
            local t = {}
            for i = 1, R(1, 5) do t[i] = rvalue(depth + 1) end
            return t
          end
          if k == 3 then
            local t = {}
            for _ = 1, R(1, 5) do
              local key = R(2) == 1 and words[R(#words)] or rvalue(depth + 1)
              if key ~= nil and key == key then t[key] = rvalue(depth + 1) end
            end
            return t
          end
          if k == 4 then local t = { 1 } t.self = t t[2] = t t.income = t return t end
          if k == 5 then return { { { { { {} } } } }, x = { y = { z = {} } } } end
          return setmetatable({}, { __index = function() error("fuzz __index") end,
            __tostring = function() return {} end, __eq = function() error("fuzz __eq") end })
        end
        function rvalue(depth)
          depth = depth or 0
          local k = R(1, depth > 2 and 10 or 14)
          if k == 1 then return nil end
          if k == 2 then return R(2) == 1 end
          if k == 3 then
            local ints = { 0, 1, -1, 2, 15, 16, math.mininteger, math.maxinteger, R(-1000, 1000), 2 ^ 53 // 1, 255, 256 }
            return ints[R(#ints)]
          end
          if k == 4 then
            local floats = { 0.0, -0.0, 0.5, 1e308, -1e308, 1 / 0, -1 / 0, 0 / 0, 2 ^ 63, -2 ^ 63, 3.0, R() * 1e6 }
            return floats[R(#floats)]
          end
          if k <= 7 then return rstring() end
          if k == 8 then return functions[R(#functions)] end
          if k == 9 then
            local threads = { coroutine.create(function() coroutine.yield() end), dead, coroutine.running() }
            return threads[R(#threads)]
          end
          if k == 10 then
            if R(2) == 1 and #records > 0 then return records[R(#records)] end
            return userdata[R(#userdata)]
          end
          return rtable(depth)
        end

        local function describe(v)
          local t = type(v)
          if t == "string" then
            if #v > 40 then return ("string(%d bytes)"):format(#v) end
            return ("%q"):format(v)
          end
          if t == "number" then return ("%s(%s)"):format(math.type(v), tostring(v)) end
          if t == "table" or t == "userdata" or t == "function" or t == "thread" then
            local mt = getmetatable(v)
            return t .. (type(mt) == "table" and type(rawget(mt, "__name")) == "string" and ("<" .. mt.__name .. ">") or "")
          end
          return tostring(v)
        end

        local bad, failures, calls, known_count = {}, 0, 0, 0
        local counts = {}
        for i = 1, iterations do
          local target = targets[R(#targets)]
          local n = R(0, 4)
          local args = {}
          for j = 1, n do args[j] = rvalue() end
          local shown = {}
          for j = 1, n do shown[j] = describe(args[j]) end
          local call = target.name .. "(" .. table.concat(shown, ", ") .. ")"
          if trace then raw_write:write(i, " ", call, "\n") raw_write:flush() end
          local ok, err
          if R(4) == 1 then
            -- From inside a coroutine: the API must not depend on running on the main thread.
            local co = coroutine.create(function() return pcall(target.f, table.unpack(args, 1, n)) end)
            local resumed, a, b = coroutine.resume(co)
            if resumed then ok, err = a, b else ok, err = false, a end
          else
            ok, err = pcall(target.f, table.unpack(args, 1, n))
          end
          calls = calls + 1
          counts[target.name] = (counts[target.name] or 0) + 1
          if not ok then
            failures = failures + 1
            local message = type(err) == "string" and err or nil
            local why
            if message == nil then why = "the error value is a " .. type(err) .. " (" .. describe(err) .. ")"
            elseif message:find("%f[%w_]%a+: 0x%x+") then why = "the message names a Lua address"
            elseif message:find("LuaBridge%.") or message:find("LinkageScripting%.") or message:find("LinkageModel%.") then
              why = "the message shows a Swift value"
            elseif message == "" then why = "the message is empty" end
            if why and #bad < 30 then bad[#bad + 1] = ("call %d: %s: %s: %s"):format(i, call, why, tostring(message or describe(err))) end
          end
        end
        local never = {}
        for _, t in ipairs(targets) do if not counts[t.name] then never[#never + 1] = t.name end end
        return calls, failures, #targets, table.concat(bad, "\n"), table.concat(never, ", "), known_count
        """#

    /// A table or userdata used as a key of a table argument (it once crashed: LuaStack converted
    /// keys at a relative index that moved when a table key was itself converted).
    func testATableAsAKeyOfAnArgumentIsAnErrorNotACrash() throws {
        // A positional parameter reads t[1]; other keys, tables included, are ignored.
        XCTAssertEqual(try run("return db.value('SELECT ?', { [{ 1 }] = 2 }) == nil"), [.boolean(true)])
        for code in ["return households:where{ [{}] = 1 }:count()", "return households:where{ [households] = 1 }:count()"] {
            XCTAssertThrowsError(try run(code), code) { error in
                XCTAssertFalse("\(error)".contains("LuaBridge."), "\(error)")
            }
        }
    }

    /// Error messages that once showed a Lua address or a Swift value.
    func testMessagesNameNoAddressAndNoSwiftValue() throws {
        for code in ["return households:get(1)[{}]", "return households:where{ [print] = 1 }:count()"] {
            XCTAssertThrowsError(try run(code), code) { error in
                let text = "\(error)"
                XCTAssertNil(text.range(of: "[a-z]+: 0x[0-9a-f]+", options: .regularExpression), text)
                XCTAssertFalse(text.contains("LuaBridge."), text)
            }
        }
    }

    func testEveryAPIFunctionFailsOnlyWithAStringError() throws {
        let env = ProcessInfo.processInfo.environment
        let iterations = env["LINKAGE_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 50_000
        let seed = env["LINKAGE_FUZZ_SEED"].flatMap { Int($0) } ?? 7_007
        let trace = env["LINKAGE_FUZZ_TRACE"] == "1"
        let strict = env["LINKAGE_FUZZ_KNOWN"] == "1"
        let started = Date()
        let replay = "seed \(seed) (replay: LINKAGE_FUZZ_SEED=\(seed) LINKAGE_FUZZ_ITERATIONS=\(iterations), LINKAGE_FUZZ_TRACE=1 to see each call)"
        print("Lua API fuzz: \(replay)")

        // help, print and io.write write to standard output: keep thousands of lines out of the log.
        fflush(nil)
        let saved = dup(1)
        let null = open("/dev/null", O_WRONLY)
        dup2(null, 1)
        close(null)
        // export.* write their random paths relative to the working directory: the test's own.
        let workingDirectory = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(directory.path))
        let results: [LuaValue]
        do {
            defer {
                fflush(nil)
                dup2(saved, 1)
                close(saved)
                FileManager.default.changeCurrentDirectoryPath(workingDirectory)
            }
            results = try ScriptEngine.with(register) { engine in
                var results: [LuaValue] = []
                _ = try engine.runSession(audit: nil, dryRun: false) {
                    let chunk = "return (function(...) \(Self.driver) end)(\(seed), \(iterations), \(trace), \(strict))"
                    results = try engine.lua.run(chunk, chunkName: "=fuzz")
                }
                return results
            }
        } catch {
            XCTFail("the fuzz driver itself failed (\(replay)): \(error)")
            return
        }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(results.count, 6, "\(results)")
        guard results.count == 6 else { return }
        let calls = Int(results[0].stringValue ?? "") ?? -1
        let failures = Int(results[1].stringValue ?? "") ?? -1
        let targets = Int(results[2].stringValue ?? "") ?? -1
        let bad = results[3].stringValue ?? "?"
        let never = results[4].stringValue ?? "?"
        if !bad.isEmpty { FileHandle.standardError.write(Data("Lua API fuzz, bad failures (\(replay)):\n\(bad)\n".utf8)) }
        XCTAssertEqual(calls, iterations)
        XCTAssertGreaterThan(targets, 300, "the driver found fewer API functions than expected")
        XCTAssertEqual(bad, "", "failures that are not string errors (\(replay)):\n\(bad)")
        if iterations >= 20_000 { XCTAssertEqual(never, "", "functions never called with \(iterations) calls") }
        // The register and the API still work after it all.
        XCTAssertEqual(try run("return db.value('PRAGMA integrity_check'), type(households:count())"), ["ok", "number"])
        print("Lua API fuzz: \(calls) calls of \(targets) functions, \(failures) failed with string errors \(String(format: "%.1f", elapsed)) s, \(replay)")
    }
}
