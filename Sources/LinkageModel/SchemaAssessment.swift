import GRDB

// Step 6, "6-assessment": how the assessment (考核) scores units and cadres, as dated rules like
// the others. The plan says linking counts in the assessment of leadership teams and cadres, that
// those with clear results are commended and those with weak work or low satisfaction criticised
// and given a deadline; it names no numbers, so these defaults are the district office's to change
// (`linkage rules set assessment item=… value=… --from D`).
extension Schema {
    static let assessmentTables = ["assessment_rule"]

    static func createAssessment(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE assessment_rule (
                id    INTEGER PRIMARY KEY,
                item  TEXT NOT NULL CHECK (item IN ('weight_coverage', 'weight_quota', 'weight_visits', 'weight_outcomes',
                                                    'weight_satisfaction', 'pass_score', 'satisfaction_floor', 'commend_share', 'deadline_days')),
                value REAL NOT NULL CHECK (value >= 0),
                note  TEXT,
                \(validity),
                CONSTRAINT assessment_rule_one_per_item_and_day UNIQUE (item, valid_from),
                CONSTRAINT assessment_share_is_a_fraction CHECK (item <> 'commend_share' OR value <= 1),
                CONSTRAINT assessment_score_out_of_100 CHECK (item NOT IN ('pass_score', 'satisfaction_floor') OR value <= 100)
            ) STRICT;
            INSERT INTO assessment_rule (item, value, note) VALUES
                ('weight_coverage',     20, '覆盖：联系的户、村占应联系数的比例'),
                ('weight_quota',        15, '联系方式：联系数与规定数相符的程度'),
                ('weight_visits',       25, '三到：达到走访标准的联系比例'),
                ('weight_outcomes',     25, '成效：所联系户两不愁三保障全部达到的比例'),
                ('weight_satisfaction', 15, '群众满意度：所联系户当年测评的平均分'),
                ('pass_score',          60, '得分低于此数的单位和干部受批评并限期整改'),
                ('satisfaction_floor',  60, '群众满意度低于此数的同样受批评'),
                ('commend_share',     0.1, '得分最高的此比例（且达到合格分）受表彰'),
                ('deadline_days',      30, '整改期限（天），自考核之日起')
            """)
        try createNoOverlapTriggers(db, table: "assessment_rule", key: "item")
        try dropAuditTriggers(db)
        try createAuditTriggers(db)
    }
}
