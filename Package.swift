// swift-tools-version:6.1
import PackageDescription

// Layers, each a target with one job (see docs/architecture.md):
//   CLua / LuaShim   the system Lua 5.4 and the C that Swift cannot express (macros, the error trampoline)
//   SQLiteShim       SQLite's C that Swift cannot call (variadic sqlite3_config)
//   LuaBridge        Lua states, values, functions and userdata; knows nothing of the domain
//   LinkageModel     the register: schema, migrations, queries, editing, rules; knows nothing of Lua,
//                    of spreadsheet formats or of sample data
//   LinkageExchange  the spreadsheet formats (CSV, XLSX, JSON, Markdown, aligned text), import and export
//   LinkageSample    the sample county generator (`linkage sample`)
//   LinkageReport    reports as documents (sections, figures, tables, charts) and their HTML, XLSX and Markdown
//   LinkageScripting binds the model into Lua (the `db` module, script runs)
//   LinkageConsole   the interactive console (line editing, completion, commands) above the scripting layer
//   linkage          the command line
let package = Package(
    name: "Linkage",
    products: [
        .executable(name: "linkage", targets: ["linkage"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"), // reading XLSX files
    ],
    targets: [
        .systemLibrary(name: "CLua", pkgConfig: "lua5.4", providers: [.apt(["liblua5.4-dev"])]),
        .systemLibrary(name: "CEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .systemLibrary(name: "CXlsxWriter", pkgConfig: "xlsxwriter", providers: [.apt(["libxlsxwriter-dev"])]),
        .target(name: "LuaShim", dependencies: ["CLua"]),
        .target(name: "LuaBridge", dependencies: ["CLua", "LuaShim"]),
        .target(name: "SQLiteShim", dependencies: [.product(name: "GRDBSQLite", package: "GRDB.swift")]),
        .target(name: "LinkageModel", dependencies: [
            "SQLiteShim", // memory statistics off, so connections on several threads do not wait on one mutex
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"), // raw statements for link batches and the audit chain
            .product(name: "Crypto", package: "swift-crypto"), // SHA-256 of the audit log's hash chain
        ]),
        .target(name: "LinkageExchange", dependencies: [
            "LinkageModel", .product(name: "GRDB", package: "GRDB.swift"),
            "CXlsxWriter", .product(name: "ZIPFoundation", package: "ZIPFoundation"), // writing and reading XLSX
        ]),
        .target(name: "LinkageSample", dependencies: [
            "LinkageModel", .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"), // raw statements for bulk sample loads
        ]),
        .target(name: "LinkageReport", dependencies: ["LinkageModel", "LinkageExchange", "CXlsxWriter", .product(name: "GRDB", package: "GRDB.swift")],
                resources: [.embedInCode("Style")]), // the HTML report's CSS, inlined into each report
        .target(name: "LinkageScripting", dependencies: [
            "LuaBridge", "LinkageModel", "LinkageExchange", "LinkageReport", "CLua", // CLua: the row-streaming hot path pushes values directly
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ], resources: [.embedInCode("Lua")]), // Lua that ships with linkage, in the binary
        .target(name: "LinkageConsole", dependencies: ["LinkageScripting", "LinkageModel", "LuaBridge", "CEdit"],
                resources: [.embedInCode("Lua")]),
        .executableTarget(name: "linkage", dependencies: [
            "LinkageScripting", "LinkageModel", "LinkageExchange", "LinkageSample", "LinkageConsole", "LinkageReport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Crypto", package: "swift-crypto"), // SHA-256 of scripts, for the audit log
        ]),
        .testTarget(name: "LuaBridgeTests", dependencies: ["LuaBridge"]),
        .testTarget(name: "LinkageModelTests", dependencies: [
            "LinkageModel", .product(name: "GRDB", package: "GRDB.swift"),
            "LinkageSample", // sample registers as fixtures; the sample generator's own tests
            "LinkageExchange", // materials written as workbooks and aligned text
        ]),
        .testTarget(name: "LinkageExchangeTests", dependencies: [
            "LinkageExchange", "LinkageModel", .product(name: "GRDB", package: "GRDB.swift"),
            "LinkageSample", // the sample generator's seeded random numbers for the XLSX fuzz test
        ]),
        .testTarget(name: "LinkageReportTests", dependencies: ["LinkageReport", "LinkageModel", "LinkageSample"]),
        .testTarget(name: "LinkageScriptingTests", dependencies: ["LinkageScripting", "LinkageModel", "LinkageSample", "LuaBridge"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "LinkageCLITests", dependencies: [], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
