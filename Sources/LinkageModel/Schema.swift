import GRDB

/// The register's schema as an ordered list of migrations. Append, never edit a released step.
public enum Schema {
    public static let migrations: [Migration] = [
        Migration("1-register") { db in
            try db.execute(sql: "CREATE TABLE area (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        },
    ]

    public static var currentVersion: Int { migrations.count }
}
