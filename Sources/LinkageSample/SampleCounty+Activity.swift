import LinkageModel

/// The year 2012 in a county: visits, publicity sessions and talks (most meeting the register's
/// `visit_standard`, some falling short in count, days or talks, a few with no contact at all),
/// the six actions, problems reported and followed up, satisfaction surveys (lower where contact
/// fell short) and the outcome indicators.
extension SampleCounty {
    /// Share of links whose contact meets the standards.
    static let meetsStandard = 0.8

    func writeActivity() throws {
        for link in links {
            if link.household >= 0 { try householdYear(link) } else { try villageYear(link) }
        }
        try writeSurveys()
    }

    // MARK: - Cadres and their households

    private func householdYear(_ link: Link) throws {
        let h = link.household
        let (first, last) = period(link)
        let std = rules.cadreVisits
        let minHalves = Int((std.days * 2).rounded(.up))
        var visits = std.count + Self.someMore[rng.below(Self.someMore.count)]
        var halves = max(minHalves, visits) + rng.int(0...6)
        var talks = rules.cadreTalks + Self.someMore[rng.below(Self.someMore.count)]
        if !rng.chance(Self.meetsStandard) {
            households[h].shortOfStandard = true
            switch rng.below(4) {
            case 0: // too few visits
                visits = max(0, std.count - 1 - (rng.chance(0.3) ? 1 : 0))
                halves = visits * rng.int(1...4)
            case 1 where minHalves > visits: // enough visits, too few days
                halves = rng.int(visits...(minHalves - 1))
            case 2: // too few talks
                talks = max(0, rules.cadreTalks - 1 - rng.below(2))
            default: // no contact at all
                visits = 0; halves = 0; talks = 0
            }
        }
        let urban = households[h].urban
        let dates = try contact(link, visits: visits, halves: halves, kind: "visit", first: first, last: last,
                                notes: urban ? Self.urbanVisitNotes : Self.householdVisitNotes)
        for _ in 0..<talks {
            let day = !dates.isEmpty && rng.chance(0.7) ? dates[rng.below(dates.count)] : rng.int(first...last)
            try visit(link, day: day, days: 0.5, kind: "talk", note: rng.chance(0.6) ? rng.pick(Self.talkNotes) : nil)
        }
        // The six actions, for this household.
        for (action, p, titles) in urban ? Self.urbanActions : Self.householdActions {
            if action == "schooling" && households[h].members < 3 { continue }
            if rng.chance(p) { try activity(link, action: action, day: rng.int(first...last), title: rng.pick(titles), detail: nil) }
        }
        if rng.chance(0.04) { try problem(link, first: first, descriptions: Self.householdProblems) }
        // Most households also get each item the plan sets (action_minimum's defaults); the rest
        // fall short somewhere, for check.actions to find.
        if link.end < 0, minimums.chance(Self.meetsStandard) { // once, on the link that holds at the year's end
            var items = Self.householdMinimums
            if households[h].schooling { items.append(("schooling", ["资助子女上学", "协调助学贷款"])) }
            for (action, titles) in items where minimums.chance(0.97) {
                try activity(link, action: action, day: minimums.int(first...last), title: minimums.pick(titles), detail: nil)
            }
        }
    }

    // MARK: - Units and leaders and their villages

    private func villageYear(_ link: Link) throws {
        let (first, last) = period(link)
        let community = villages[link.village].community
        if link.unit >= 0 {
            let std = rules.unitVisits
            var visits = std.count + Self.someMoreVisits[rng.below(Self.someMoreVisits.count)]
            var days = max(Int(std.days.rounded(.up)), visits) + rng.int(0...15)
            var publicity = rules.unitPublicity + Self.someMore[rng.below(Self.someMore.count)]
            if !rng.chance(Self.meetsStandard) {
                switch rng.below(4) {
                case 0: // too few visits
                    visits = max(1, std.count - rng.int(1...2))
                    days = visits * rng.int(2...6)
                case 1 where Int(std.days) > visits: // enough visits, too few days
                    days = rng.int(visits...(Int(std.days) - 1))
                case 2: // too few publicity sessions
                    publicity = max(0, rules.unitPublicity - 1 - rng.below(2))
                default: // no contact at all
                    visits = 0; days = 0; publicity = 0
                }
            }
            _ = try contact(link, visits: visits, halves: days * 2, kind: "visit", first: first, last: last,
                            notes: community ? Self.communityVisitNotes : Self.villageVisitNotes, wholeDays: true)
            for _ in 0..<publicity {
                let day = rng.int(first...last)
                let note = day >= SampleDates.day(11, 15) && rng.chance(0.6) ? "集中宣讲党的十八大精神" : rng.pick(Self.publicityNotes)
                try visit(link, day: day, days: 1, kind: "publicity", note: note)
            }
            for (action, p, titles) in community ? Self.communityActions : Self.villageActions where rng.chance(p) {
                let detail = action == "industry" || action == "problem_solving" ? "投入资金\(rng.int(2...80))万元" : nil
                try activity(link, action: action, day: rng.int(first...last), title: rng.pick(titles), detail: detail)
            }
            if rng.chance(0.25) { try problem(link, first: first, descriptions: community ? Self.communityProblems : Self.villageProblems) }
            if link.end < 0, minimums.chance(Self.meetsStandard) {
                for (action, titles) in community ? Self.communityMinimums : Self.villageMinimums where minimums.chance(0.97) {
                    try activity(link, action: action, day: minimums.int(first...last), title: minimums.pick(titles), detail: nil)
                }
            }
        } else {
            // A leader in the village or community he or she links: no yearly standard of its own.
            let visits = rng.int(1...4)
            _ = try contact(link, visits: visits, halves: visits * rng.int(2...5), kind: "visit", first: first, last: last,
                            notes: community ? Self.communityVisitNotes : Self.villageVisitNotes)
            if rng.chance(0.3) { try visit(link, day: rng.int(first...last), days: 1, kind: "publicity", note: rng.pick(Self.publicityNotes)) }
            for (action, p, titles) in (community ? Self.communityActions : Self.villageActions).prefix(2) where rng.chance(p * 0.6) {
                try activity(link, action: action, day: rng.int(first...last), title: rng.pick(titles), detail: nil)
            }
            if rng.chance(0.2) { try problem(link, first: first, descriptions: community ? Self.communityProblems : Self.villageProblems) }
        }
    }

    // MARK: - Rows

    /// The days of 2012 a link was open: from its start to the day before it ended.
    private func period(_ link: Link) -> (Int, Int) {
        let last = link.end >= 0 ? max(link.start, link.end - 1) : SampleDates.lastDay
        return (link.start, last)
    }

    /// `visits` visits on dates between first and last, `halves` half days in all (each visit at
    /// least one half day, or one day with wholeDays). Returns the dates.
    private func contact(_ link: Link, visits: Int, halves: Int, kind: String, first: Int, last: Int,
                         notes: [String], wholeDays: Bool = false) throws -> [Int] {
        guard visits > 0 else { return [] }
        let unit = wholeDays ? 2 : 1
        var parts = [Int](repeating: unit, count: visits)
        var left = max(0, halves - visits * unit) / unit
        while left > 0 {
            parts[rng.below(visits)] += unit
            left -= 1
        }
        var dates = (0..<visits).map { _ in rng.int(first...last) }
        dates.sort()
        for (k, day) in dates.enumerated() {
            try visit(link, day: day, days: Double(parts[k]) / 2, kind: kind, note: rng.chance(0.65) ? rng.pick(notes) : nil)
        }
        return dates
    }

    private func visit(_ link: Link, day: Int, days: Double, kind: String, note: String?) throws {
        let s = w.visit
        s.int(w.reserve(.visit))
        s.int(link.unit >= 0 ? units[link.unit].id : nil); s.int(link.cadre >= 0 ? cadres[link.cadre].id : nil)
        s.int(link.village >= 0 ? villages[link.village].id : nil); s.int(link.household >= 0 ? households[link.household].id : nil)
        s.text(SampleDates.text(day)); s.real(days); s.text(kind); s.text(note)
        try s.insert()
    }

    private func activity(_ link: Link, action: String, day: Int, title: String, detail: String?) throws {
        let s = w.activity
        s.int(w.reserve(.activity)); s.text(action)
        s.int(link.unit >= 0 ? units[link.unit].id : nil); s.int(link.cadre >= 0 ? cadres[link.cadre].id : nil)
        s.int(link.village >= 0 ? villages[link.village].id : nil); s.int(link.household >= 0 ? households[link.household].id : nil)
        s.text(SampleDates.text(day)); s.text(title); s.text(detail)
        try s.insert()
    }

    /// A problem the linker could not solve: open, escalated to the office, or closed; followed up.
    private func problem(_ link: Link, first: Int, descriptions: [String]) throws {
        guard first + 7 <= SampleDates.day(11, 30) else { return }
        let reported = rng.int((first + 7)...SampleDates.day(11, 30))
        var status = ["open", "open", "open", "escalated", "escalated", "closed", "closed", "closed", "closed"][rng.below(9)]
        var escalated = -1, closed = -1
        if status == "escalated" || (status == "closed" && rng.chance(0.5)) { escalated = reported + rng.int(3...40) }
        if status == "closed" { closed = max(reported, escalated) + rng.int(5...60) }
        if closed > SampleDates.lastDay { closed = -1; status = escalated >= 0 ? "escalated" : "open" }
        if escalated > SampleDates.lastDay { escalated = -1; status = "open"; closed = -1 }
        let id = w.reserve(.problem)
        let s = w.problem
        s.int(id)
        s.int(link.cadre >= 0 ? cadres[link.cadre].id : nil); s.int(link.unit >= 0 ? units[link.unit].id : nil)
        s.int(link.village >= 0 ? villages[link.village].id : nil); s.int(link.household >= 0 ? households[link.household].id : nil)
        s.text(SampleDates.text(reported)); s.text(rng.pick(descriptions)); s.text(status)
        s.text(escalated >= 0 ? SampleDates.text(escalated) : nil); s.text(closed >= 0 ? SampleDates.text(closed) : nil)
        s.text(closed >= 0 ? rng.pick(Self.resolutions) : nil)
        try s.insert()
        let followups = status == "open" ? rng.int(0...1) : (status == "escalated" ? rng.int(1...3) : rng.int(0...2))
        let end = closed >= 0 ? closed : SampleDates.lastDay
        var days = (0..<followups).map { _ in rng.int(reported...end) }
        days.sort()
        for day in days {
            let f = w.followup
            f.int(w.reserve(.problemFollowup)); f.int(id); f.text(SampleDates.text(day)); f.text(rng.pick(Self.followupNotes))
            try f.insert()
        }
    }

    // MARK: - Surveys and indicators

    private func writeSurveys() throws {
        let s = w.survey
        for h in households where h.cadre >= 0 && rng.chance(0.92) {
            let r = rng.below(100)
            let score: Int
            if !h.shortOfStandard {
                score = r < 85 ? rng.int(85...100) : (r < 97 ? rng.int(70...84) : rng.int(40...69))
            } else {
                score = r < 40 ? rng.int(85...100) : (r < 75 ? rng.int(60...84) : rng.int(20...59))
            }
            s.int(w.reserve(.survey)); s.int(h.id); s.int(2012); s.int(score)
            try s.insert()
        }
    }

    /// Chance that a village (or community, or household) meets a boolean indicator in 2012.
    static let indicatorChances: [String: Double] = [
        "road": 0.55, "electricity": 0.97, "water": 0.68, "broadcast_tv": 0.9, "telephone": 0.88, "broadband": 0.3,
        "bus": 0.5, "post": 0.72, "party_venue": 0.8, "clinic": 0.75, "culture_room": 0.45, "library": 0.7, "shop": 0.55,
        "cooperative": 0.4, "appearance_improved": 0.6, "disputes_resolved": 0.75, "committee_improved": 0.7,
        "management_strengthened": 0.8, "service_strengthened": 0.75, "education_strengthened": 0.7,
        "party_strengthened": 0.85, "confidence_raised": 0.78, "practical_skill": 0.55,
    ]

    func writeIndicators() throws {
        let s = w.indicatorValue
        func value(_ indicator: SampleRules.Indicator) -> Double {
            if indicator.boolean { return rng.chance(Self.indicatorChances[indicator.code] ?? 0.6) ? 1 : 0 }
            switch indicator.code {
            case "net_income": return Double(Int(rng.bell(mean: 2_900, spread: 450)))
            case "disposable_income": return Double(Int(rng.bell(mean: 5_200, spread: 800)))
            default: return Double(rng.int(1...100))
            }
        }
        let villageIndicators = rules.indicators.filter { $0.scope == "village" }
        let communityIndicators = rules.indicators.filter { $0.scope == "community" }
        let householdIndicators = rules.indicators.filter { $0.scope == "household" }
        for v in villages {
            for i in v.community ? communityIndicators : villageIndicators {
                s.int(w.reserve(.indicatorValue)); s.int(i.id); s.int(v.id); s.int(nil); s.int(2012); s.real(value(i))
                try s.insert()
            }
        }
        for h in households where h.cadre >= 0 && rng.chance(0.85) {
            for i in householdIndicators {
                s.int(w.reserve(.indicatorValue)); s.int(i.id); s.int(nil); s.int(h.id); s.int(2012); s.real(value(i))
                try s.insert()
            }
        }
    }

    // MARK: - Words

    static let someMore = [0, 0, 0, 1, 1, 2]
    static let someMoreVisits = [0, 0, 1, 1, 2, 3]

    static let householdVisitNotes = [
        "入户走访，了解家庭生产生活情况", "宣讲强农惠农政策", "讲政策、讲思路、讲法律", "送技术、送信息、送温暖",
        "帮助制定增收计划", "送去米面油等慰问品", "帮助联系外出务工", "查看危房改造进度", "协调办理新农合报销",
        "指导果树修剪", "讲解养殖技术", "住农家、吃农家饭，帮助春耕", "帮助秋收", "了解子女上学情况",
    ]
    static let urbanVisitNotes = ["走访慰问", "了解低保办理情况", "帮助联系就业岗位", "宣讲城市低保政策", "协调办理医疗救助",
                                  "送去慰问金", "了解子女上学情况"]
    static let talkNotes = ["谈心交流，了解思想动态", "鼓励树立脱贫信心", "交流发展产业的想法", "听取意见建议", "谈心交流，疏导思想"]
    static let villageVisitNotes = ["驻村调研，召开村两委会议", "帮助制定村发展规划", "实地查看扶贫项目进展", "召开群众座谈会",
                                    "督促检查联户工作", "协调落实项目资金", "开展村容村貌整治", "走访特困户"]
    static let communityVisitNotes = ["召开社区工作座谈会", "走访困难居民", "协调解决社区服务设施", "指导社区党组织建设", "督促检查联户工作"]
    static let publicityNotes = ["集中宣讲强农惠农政策", "法律知识讲座", "科技知识培训", "集中宣讲双联行动政策", "计划生育政策宣传",
                                 "集中宣讲新农合和新农保政策"]

    static let householdActions: [(String, Double, [String])] = [
        ("prosperity", 0.75, ["制定家庭发展规划", "理清增收思路", "推广实用技术", "扶持发展主导产业"]),
        ("problem_solving", 0.25, ["帮助解决饮水困难", "协调危房改造", "代办医疗救助", "帮助办理低保", "联系子女就业"]),
        ("schooling", 0.15, ["资助子女上学", "关爱留守儿童", "协调助学贷款"]),
        ("industry", 0.15, ["扶持发展养殖业", "协调小额贴息贷款", "推荐外出务工", "扶持发展果园"]),
        ("stability", 0.04, ["调解邻里纠纷", "化解土地纠纷"]),
        ("culture", 0.15, ["赠送科技图书", "组织参加技能培训", "赠送果树管理手册"]),
    ]
    static let urbanActions: [(String, Double, [String])] = [
        ("prosperity", 0.6, ["制定家庭增收计划", "帮助联系就业岗位", "推荐参加创业培训"]),
        ("problem_solving", 0.3, ["协调办理城市低保", "代办医疗救助", "协调廉租房申请"]),
        ("schooling", 0.15, ["资助子女上学", "关爱留守儿童"]),
        ("stability", 0.05, ["调解邻里纠纷"]),
        ("culture", 0.1, ["组织参加技能培训", "赠送图书"]),
    ]
    static let villageActions: [(String, Double, [String])] = [
        ("prosperity", 0.95, ["制定村发展规划", "理清村级发展思路"]),
        ("industry", 0.8, ["落实扶贫开发项目", "引进马铃薯良种种植项目", "建设养殖小区", "发展苹果产业", "建设日光温室", "扶持花椒种植"]),
        ("problem_solving", 0.7, ["硬化村道", "修建人饮工程", "维修村小学校舍", "架设动力电", "修建村级活动场所", "修建水窖"]),
        ("culture", 0.5, ["建设农家书屋", "举办实用技术培训班", "赠送科技图书"]),
        ("stability", 0.35, ["排查化解矛盾纠纷", "调处土地承包纠纷"]),
        ("schooling", 0.35, ["资助贫困学生", "关爱留守儿童", "捐赠学习用品"]),
    ]
    static let communityActions: [(String, Double, [String])] = [
        ("prosperity", 0.8, ["制定社区发展规划", "开发公益性岗位"]),
        ("problem_solving", 0.6, ["改造社区活动场所", "维修老旧小区管网", "协调安装路灯"]),
        ("culture", 0.5, ["建设社区图书室", "举办就业技能培训班"]),
        ("stability", 0.4, ["排查化解矛盾纠纷"]),
        ("schooling", 0.3, ["资助困难家庭学生", "关爱留守儿童"]),
    ]

    /// One activity per item of the plan's minimums (action_minimum), titled so its pattern matches.
    static let householdMinimums: [(String, [String])] = [
        ("prosperity", ["制定家庭发展规划"]), ("prosperity", ["理清增收思路"]), ("prosperity", ["推广实用技术"]),
        ("prosperity", ["扶持发展主导产业"]), ("problem_solving", ["帮助解决饮水困难", "协调危房改造", "代办医疗救助", "帮助办理低保"]),
        ("culture", ["赠送科技图书", "组织参加技能培训"]),
    ]
    static let villageMinimums: [(String, [String])] = [
        ("prosperity", ["制定村发展规划"]), ("prosperity", ["理清村级发展思路"]),
        ("problem_solving", ["硬化村道", "修建人饮工程", "修建水窖"]), ("industry", ["落实扶贫开发项目", "建设日光温室", "扶持花椒种植"]),
    ]
    static let communityMinimums: [(String, [String])] = [
        ("prosperity", ["制定社区发展规划"]), ("problem_solving", ["改造社区活动场所", "维修老旧小区管网"]),
    ]

    static let householdProblems = ["饮水困难，需打水窖", "危房改造资金不足", "子女上学费用困难", "大病医疗费用负担重",
                                    "缺少发展资金，申请小额贷款", "低保待遇未落实", "承包地纠纷"]
    static let villageProblems = ["村道未硬化，出行困难", "人饮工程年久失修", "缺少村级活动场所", "灌溉水渠损毁", "动力电未通",
                                  "村小学校舍危旧", "缺少产业发展资金"]
    static let communityProblems = ["社区办公用房不足", "老旧小区排水不畅", "缺少社区活动场所", "困难居民就业难"]
    static let resolutions = ["已协调解决", "项目已落实", "资金已到位", "已纳入危房改造计划", "已办理医疗救助", "已协调有关部门解决"]
    static let followupNotes = ["已上报区联村联户办公室", "协调有关部门现场查看", "督办落实", "跟踪回访", "已列入明年计划",
                                "问题已解决，群众满意"]
}
