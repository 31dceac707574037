import XCTest
@testable import LuaBridge

final class LuaLifetimeTests: XCTestCase {
    final class Record {
        nonisolated(unsafe) static var live = 0
        let id: Int64
        init(_ id: Int64) { self.id = id; Record.live += 1 }
        deinit { Record.live -= 1 }
    }

    private func installRecords(in lua: LuaState) -> LuaClass<Record> {
        let cls = LuaClass<Record>(name: "Record", methods: [
            "double": { r, call in call.returning(.integer(r.id * 2)) },
        ], fields: { r, key, call in
            guard key == "id" else { return false }
            call.push(.integer(r.id))
            return true
        }, tostring: { "Record(\($0.id))" })
        cls.install(in: lua)
        lua.register("record") { call in
            cls.push(Record(try call.integer(1)), on: call.stack)
            return 1
        }
        return cls
    }

    func testUserdataExposesFieldsMethodsAndToString() throws {
        let lua = LuaState()
        _ = installRecords(in: lua)
        XCTAssertEqual(try lua.run("local r = record(21) return r.id, r:double(), tostring(r), r.missing"), [21, 42, "Record(21)", .nil])
        XCTAssertEqual(try lua.run("local r = record(1) return select(2, pcall(r.double, 5))", chunkName: "=t"),
                       ["t:1: calling 'double' on bad self (Record expected, got number); use ':' not '.'"])
    }

    func testAMillionUserdataAreCollectedAndMemoryStaysFlat() throws {
        let lua = LuaState()
        _ = installRecords(in: lua)
        try lua.run("for i = 1, 1000 do local r = record(i) end")
        lua.collectGarbage()
        let baseline = lua.memoryInUse
        XCTAssertEqual(Record.live, 0)
        try lua.run("local s = 0 for i = 1, 1000000 do local r = record(i) s = s + r.id end return s")
        // Userdata with __gc are finalized in one cycle and freed in the next.
        lua.collectGarbage()
        lua.collectGarbage()
        XCTAssertEqual(Record.live, 0, "every Swift object was released by __gc")
        XCTAssertLessThan(lua.memoryInUse, baseline + 64 * 1024, "Lua's heap is back where it was")
    }

    func testAMillionSwiftClosuresAreCollected() throws {
        let lua = LuaState()
        // Each call returns a new Swift closure that captures a tracked object.
        lua.register("makeCounter") { call in
            let held = Record(0)
            var n: Int64 = 0
            call.stack.push(function: { c in
                n += 1
                return c.returning(.integer(n + held.id))
            }, name: "counter")
            return 1
        }
        lua.collectGarbage()
        let baseline = lua.memoryInUse
        XCTAssertEqual(try lua.run("local t = 0 for i = 1, 1000000 do local f = makeCounter() t = t + f() + f() end return t"), [3_000_000])
        lua.collectGarbage()
        lua.collectGarbage()
        XCTAssertEqual(Record.live, 0, "every closure's captures were released")
        XCTAssertLessThan(lua.memoryInUse, baseline + 64 * 1024)
    }

    func testClosingTheStateReleasesLiveUserdata() throws {
        var lua: LuaState? = LuaState()
        _ = installRecords(in: lua!)
        try lua!.run("keep = {} for i = 1, 100 do keep[i] = record(i) end")
        XCTAssertEqual(Record.live, 100)
        lua = nil
        XCTAssertEqual(Record.live, 0)
    }

    func testCloseMetamethodRunsWhenAForLoopBreaks() throws {
        final class Cursor { var closed = false; var n: Int64 = 0 }
        let lua = LuaState()
        let cls = LuaClass<Cursor>(name: "Cursor", close: { $0.closed = true })
        cls.install(in: lua)
        let cursor = Cursor()
        lua.register("iterate") { call in
            call.stack.push(function: { c in
                cursor.n += 1
                return c.returning(cursor.n <= 10 ? .integer(cursor.n) : .nil)
            }, name: "next")
            call.push(.nil)
            call.push(.nil)
            cls.push(cursor, on: call.stack)
            return 4
        }
        XCTAssertEqual(try lua.run("for i in iterate() do if i == 3 then break end end return 1"), [1])
        XCTAssertTrue(cursor.closed)
        XCTAssertEqual(cursor.n, 3)
    }
}
