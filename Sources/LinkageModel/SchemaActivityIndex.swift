import GRDB

// Step 8, "8-activity-title-index": the household index of activity also holds each activity's
// action and title. The six actions' check (Checks.actions) counts a province's 6 M activities of
// a year per household by action and title; with only (household_id, date) in the index, each row
// was a second lookup into the table, about a sixth of the check's time. The index keeps its name
// (the check names it in INDEXED BY) and its columns as a prefix, so every query that used it can
// still use it.
extension Schema {
    static let activityIndexTables: [String] = []

    static func createActivityIndex(_ db: Database) throws {
        try db.execute(sql: """
            DROP INDEX idx_activity_household_id;
            CREATE INDEX idx_activity_household_id ON activity (household_id, date, action, title)
                WHERE household_id IS NOT NULL;
            """)
    }
}
