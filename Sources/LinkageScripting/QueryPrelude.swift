/// The Lua half of the query API lives in Lua/query.lua; QueryModule runs it under "=(linkage)"
/// with its Swift primitives as `...`.
enum QueryPrelude {
    static var source: String { String(decoding: PackageResources.query_lua, as: UTF8.self) }
}
