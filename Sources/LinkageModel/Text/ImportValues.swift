/// Words a person writes for the English codes of enumerations and for yes/no. Each maps to a
/// code; whether the code is allowed is still the schema's CHECK, or its rule table (read by
/// SchemaCatalog, which also has the rule tables' labels: 教师 for an excluded category). In the
/// model because the linkage log labels its actions with the same words.
public enum ImportValues {
    package static let byColumn: [String: [String: String]] = [
        "area.kind": ["乡镇": "township", "乡": "township", "镇": "township", "街道": "subdistrict", "街道办": "subdistrict"],
        "village.kind": ["贫困村": "village", "村": "village", "行政村": "village", "社区": "community"],
        "household.kind": ["农村": "rural", "农村特困户": "rural", "农村户": "rural", "城市": "urban", "城镇": "urban",
                           "城市困难居民": "urban", "城市户": "urban"],
        "unit.kind": ["区四大组织": "four_bodies", "四大组织": "four_bodies", "乡镇": "township", "街道": "subdistrict",
                      "区直部门": "department", "区直单位": "department", "部门": "department", "群团组织": "mass_org",
                      "人武部": "armed_forces", "区人武部": "armed_forces", "驻区部队": "garrison", "部队": "garrison",
                      "驻区单位": "stationed", "区属企业": "enterprise", "企业": "enterprise", "志愿者": "volunteer"],
        "cadre.sex": ["m": "男", "male": "男", "f": "女", "female": "女"],
        "visit.kind": ["走访": "visit", "入户": "visit", "进村": "visit", "进村入户": "visit", "宣讲": "publicity",
                       "集中宣讲": "publicity", "谈心": "talk", "谈心交流": "talk"],
        "activity.action": ["富民引领": "prosperity", "破解难题": "problem_solving", "助学助童": "schooling",
                            "产业扶贫": "industry", "维稳安民": "stability", "文化启智": "culture"],
    ]

    package static let yes: Set<String> = ["1", "是", "有", "true", "yes", "y", "√", "✓", "已", "已保障", "有保障"]
    package static let no: Set<String> = ["0", "否", "无", "false", "no", "n", "×", "✗", "未", "未保障", "无保障"]

    /// The code for `text`, from the words above or those of the register's rule tables
    /// (`SchemaCatalog.words`: the labels of excluded categories).
    package static func code(for text: String, table: String, column: String, schema: SchemaCatalog? = nil) -> String {
        let words = words(table: table, column: column, schema: schema)
        return words?[text.lowercased()] ?? words?[text] ?? text
    }

    /// The words for the codes of one column, or nil when it has none.
    package static func words(table: String, column: String, schema: SchemaCatalog?) -> [String: String]? {
        let key = "\(table).\(column)"
        return schema?.words[key].map { byColumn[key, default: [:]].merging($0) { $1 } } ?? byColumn[key]
    }
}
