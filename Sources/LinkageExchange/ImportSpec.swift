import Foundation
import LinkageModel

/// One problem with one cell, row or file: `FILE:LINE:COLUMN: what is wrong — what would be right`.
public struct ImportProblem: Sendable, Equatable, CustomStringConvertible {
    public let file: String
    /// The line (CSV) or row number (XLSX); nil for the file as a whole.
    public let line: Int?
    /// The column's number (CSV) or letter (XLSX); nil for the row as a whole.
    public let column: String?
    /// The field's English name, when the problem is about one field.
    public let field: String?
    public let message: String
    public let hint: String?

    public init(file: String, line: Int?, column: String?, field: String?, message: String, hint: String?) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
        self.hint = hint
    }

    /// What is wrong, and what would be right.
    public var text: String { hint.map { "\(message) — \($0)" } ?? message }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        return "\(place): \(text)"
    }
}

/// What `linkage import` can import: each kind is one table of the register.
public enum ImportKind: String, CaseIterable, Sendable {
    case areas, villages, communities, units, cadres, households, links, visits, activities

    public var table: String {
        switch self {
        case .areas: return "area"
        case .villages, .communities: return "village"
        case .units: return "unit"
        case .cadres: return "cadre"
        case .households: return "household"
        case .links: return "link"
        case .visits: return "visit"
        case .activities: return "activity"
        }
    }

    /// The same kinds by other names: table names, singulars, and Chinese.
    public init?(name: String) {
        let n = name.lowercased()
        if let k = ImportKind(rawValue: n) { self = k; return }
        let others: [String: ImportKind] = [
            "area": .areas, "village": .villages, "community": .communities, "unit": .units, "cadre": .cadres,
            "household": .households, "link": .links, "visit": .visits, "activity": .activities,
            "乡镇": .areas, "街道": .areas, "贫困村": .villages, "社区": .communities, "单位": .units, "干部": .cadres,
            "贫困户": .households, "特困户": .households, "联系": .links, "走访": .visits, "活动": .activities,
        ]
        guard let k = others[n] else { return nil }
        self = k
    }

    /// The columns of the table that are given by a reference, not directly.
    var referenceColumns: Set<String> {
        switch self {
        case .areas: return []
        case .villages, .communities: return ["area_id"]
        case .units: return ["area_id"]
        case .cadres: return ["unit_id"]
        case .households: return ["village_id"]
        case .links: return ["unit_id", "cadre_id", "village_id", "household_id", "successor_cadre_id"]
        case .visits, .activities: return ["unit_id", "cadre_id", "village_id", "household_id"]
        }
    }

    /// The reference fields a file may have, in the order the docs list them.
    var referenceFields: [String] {
        switch self {
        case .areas: return []
        case .villages, .communities: return ["area"]
        case .units: return ["area"]
        case .cadres: return ["unit"]
        case .households: return ["village", "area"]
        case .links: return ["cadre", "cadre_resident_id", "unit", "household", "household_name", "village", "area", "successor"]
        case .visits, .activities: return ["cadre", "cadre_resident_id", "unit", "household", "household_name", "village", "area"]
        }
    }

    /// Columns a file never gives: computed, or fixed by the kind.
    var hiddenColumns: Set<String> {
        switch self {
        case .communities: return ["kind"]
        default: return []
        }
    }
}

/// The names a header may give each field: the English name (the schema's column name) and the
/// words Chinese spreadsheets use. `docs/import-export.md` lists them; a test keeps the two equal.
public enum ImportHeaders {
    /// Chinese (and other English) names by field, for every kind; the per-kind table below wins.
    static let common: [String: [String]] = [
        "resident_id": ["身份证号", "身份证号码", "公民身份号码", "身份证", "id_number"],
        "phone": ["联系电话", "电话", "手机", "手机号", "手机号码", "电话号码", "mobile"],
        "address": ["地址", "住址", "家庭住址"],
        "note": ["备注", "说明"],
        "date": ["日期", "时间"],
        "area": ["乡镇", "街道", "乡镇（街道）", "乡镇/街道", "乡镇街道", "所属乡镇", "所属街道", "所在乡镇", "所在街道",
                 "township", "subdistrict", "town", "area_code", "乡镇代码", "街道代码"],
        "village": ["村", "村名", "所在村", "贫困村", "社区", "村（社区）", "村/社区", "所在村（社区）", "村代码", "村（社区）代码",
                    "village_code", "community"],
        "unit": ["单位", "单位名称", "所在单位", "工作单位", "帮扶单位", "联系单位", "unit_name"],
        "cadre": ["干部", "干部姓名", "帮扶责任人", "联系干部", "帮扶干部", "cadre_name"],
        "cadre_resident_id": ["干部身份证号", "干部身份证号码", "帮扶责任人身份证号"],
        "household": ["户主身份证号", "户主身份证号码", "贫困户身份证号", "household_resident_id"],
        "household_name": ["户主姓名", "户主", "贫困户", "head_name"],
        "successor": ["接替干部", "接替人", "接替干部身份证号", "successor_resident_id"],
    ]

    static let byKind: [ImportKind: [String: [String]]] = [
        .areas: ["code": ["代码", "编码", "区划代码", "行政区划代码", "乡镇代码", "街道代码"],
                 "name": ["名称", "乡镇", "街道", "乡镇名称", "街道名称", "乡镇（街道）", "乡镇（街道）名称"],
                 "kind": ["类型", "类别"]],
        .villages: ["code": ["代码", "编码", "村代码", "区划代码", "行政区划代码", "村（社区）代码"],
                    "name": ["名称", "村名", "村名称", "村", "贫困村", "村（社区）", "村（社区）名称"],
                    "kind": ["类型", "类别"], "poor": ["是否贫困村"]],
        .communities: ["code": ["代码", "编码", "社区代码", "区划代码", "行政区划代码"],
                       "name": ["名称", "社区", "社区名称"], "poor": ["是否困难社区"]],
        .units: ["name": ["名称", "单位", "单位名称"], "kind": ["类型", "单位类型", "类别", "参与范围"]],
        .cadres: ["name": ["姓名", "干部姓名"], "sex": ["性别"], "title": ["职务", "职务职级"],
                  "role": ["角色", "联系角色"], "excluded": ["不联户类别", "排除类别", "不联户原因"],
                  "left_on": ["离任日期", "离岗日期", "调离日期"]],
        .households: ["head_name": ["户主姓名", "户主", "姓名"], "resident_id": ["户主身份证号", "户主身份证号码"],
                      "kind": ["类型", "户类型", "类别"],
                      "attribute": ["户属性", "贫困户属性", "属性"], "main_cause": ["主要致贫原因", "致贫原因"],
                      "other_cause_1": ["其他致贫原因1", "其他致贫原因一", "次要致贫原因1"],
                      "other_cause_2": ["其他致贫原因2", "其他致贫原因二", "次要致贫原因2"],
                      "members": ["家庭人口", "家庭人口数", "人口", "人口数", "人数"],
                      "income": ["人均纯收入", "人均收入", "人均可支配收入", "收入"],
                      "food_secure": ["不愁吃", "吃穿不愁（吃）"], "clothing_secure": ["不愁穿"],
                      "education_secured": ["义务教育有保障", "义务教育保障", "教育保障"],
                      "medical_secured": ["基本医疗有保障", "基本医疗保障", "医疗保障"],
                      "housing_secured": ["住房安全有保障", "住房安全保障", "住房保障"],
                      "exit_year": ["脱贫年份", "脱贫年度", "脱贫年"]],
        .links: ["start_date": ["开始日期", "联系日期", "起始日期", "结对日期"], "end_date": ["结束日期", "终止日期"],
                 "end_reason": ["结束原因", "终止原因", "调整原因"]],
        .visits: ["date": ["日期", "走访日期", "入户日期"], "days": ["天数", "时长（天）", "累计天数"], "kind": ["类型", "方式", "走访类型"]],
        .activities: ["action": ["行动", "六项行动", "行动类别"], "date": ["日期", "活动日期"],
                      "title": ["标题", "事项", "活动", "活动名称", "主题"], "detail": ["内容", "详情", "具体内容"]],
    ]

    /// The names accepted for `field` of `kind`: the English name first.
    public static func names(for field: String, kind: ImportKind) -> [String] {
        var result = [field]
        for n in (byKind[kind]?[field] ?? []) + (common[field] ?? []) where !result.contains(n) { result.append(n) }
        return result
    }

    /// A header as compared: without `*` marks and "(必填)", full-width brackets as ASCII, no
    /// spaces, English in lower case with `_` for spaces.
    static func normalize(_ header: String) -> String {
        var s = header.trimmingCharacters(in: .whitespacesAndNewlines)
        for mark in ["（必填）", "(必填)", "（选填）", "(选填)", "*", "＊"] { s = s.replacingOccurrences(of: mark, with: "") }
        s = s.replacingOccurrences(of: "（", with: "(").replacingOccurrences(of: "）", with: ")")
        s = s.trimmingCharacters(in: .whitespaces).lowercased()
        s = s.replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
        return s
    }

    /// Headers skipped whatever the kind: a row number column.
    static let ignored: Set<String> = ["序号", "编号", "no", "no.", "#"]
}
