import LinkageModel

/// A county's units and cadres: the four bodies and their leaders, a government for every
/// township and subdistrict, departments, mass organisations, the armed-forces department,
/// garrison troops, stationed units, enterprises and volunteers; as many cadres of each role as
/// the quotas need to link every household, and the staff who never link.
extension SampleCounty {
    struct Unit {
        let id: Int
        let name: String
        let kind: String
        let area: Int
        let weight: Int
        let staff: SampleUnits.Staff?
        /// Villages it links as a unit (`unit_quota_rule`): nil none, 0 no fixed number, n exactly n.
        let villageQuota: Int?
        var cadres: Range<Int> = 0..<0
    }

    struct Cadre {
        let id: Int
        let unit: Int
        let role: SampleRole?
        let excluded: SampleExclusion?
        let area: Int
        let person: SamplePersonMaker.Person
        let phone: String
        let title: String
        /// What it may still link, from its quota.
        var free: SampleQuota
        var leftOn = -1
        var leftReason = ""
    }

    // MARK: - Units

    func makeUnits() throws {
        func add(_ name: String, _ kind: String, area: Int = -1, weight: Int = 1, staff: SampleUnits.Staff? = nil) throws {
            let quota = kind == "volunteer" ? 0 : rules.unitVillages[kind]
            let unit = Unit(id: w.reserve(.unit), name: name, kind: kind, area: area, weight: weight, staff: staff, villageQuota: quota)
            w.unit.int(unit.id); w.unit.text(name); w.unit.text(kind); w.unit.int(area >= 0 ? areas[area].id : nil)
            try w.unit.insert()
            if area >= 0 { areas[area].unit = units.count }
            units.append(unit)
        }
        let p = plan.unitPrefix
        func named(_ template: String) -> String { SampleUnits.name(template, prefix: p, county: plan) }
        for body in SampleUnits.fourBodies { try add(named(body), "four_bodies", weight: 3) }
        for (a, area) in areas.enumerated() where area.township { try add(area.name + "人民政府", "township", area: a) }
        for (a, area) in areas.enumerated() where !area.township { try add(area.name + "办事处", "subdistrict", area: a) }
        for t in SampleUnits.departments.prefix(plan.departments) { try add(named(t.name), "department", weight: t.weight, staff: t.staff) }
        for t in SampleUnits.massOrgs.prefix(plan.massOrgs) { try add(named(t.name), "mass_org", weight: t.weight) }
        try add(named(SampleUnits.armedForces.name), "armed_forces")
        for t in SampleUnits.garrisons.prefix(plan.garrisons) { try add(named(t), "garrison") }
        for t in SampleUnits.stationed.prefix(plan.stationed) { try add(named(t.name), "stationed", weight: t.weight, staff: t.staff) }
        for name in plan.extraStationed { try add(name, "stationed", weight: 2) }
        for t in SampleUnits.enterprises.prefix(plan.enterprises) { try add(named(t), "enterprise", staff: .company) }
        for t in SampleUnits.volunteers.prefix(plan.volunteers) { try add(named(t), "volunteer") }
    }

    // MARK: - Cadres

    /// The leaders of the four bodies: role and title, {L} being 区, 县 or 市.
    private func leaders(of body: Unit) -> [(SampleRole, String)] {
        let L = plan.level
        if body.name.hasSuffix("政府") {
            return [(.principalLeader, "\(L)长"), (.principalLeader, "常务副\(L)长"), (.deputyHeadSubdistricts, "副\(L)长（分管街道）")]
                + Array(repeating: (.otherLeader, "副\(L)长"), count: 4)
        }
        if body.name.hasSuffix("人大常委会") {
            return [(.principalLeader, "\(L)人大常委会主任"), (.principalLeader, "\(L)人大常委会党组副书记、副主任")]
                + Array(repeating: (.otherLeader, "\(L)人大常委会副主任"), count: 3)
        }
        if body.name.hasSuffix("政协") {
            return [(.principalLeader, "\(L)政协主席"), (.principalLeader, "\(L)政协党组副书记、副主席")]
                + Array(repeating: (.otherLeader, "\(L)政协副主席"), count: 3)
        }
        return [(.principalLeader, "\(L)委书记"), (.principalLeader, "\(L)委专职副书记"),
                (.otherLeader, "\(L)委常委、组织部部长"), (.otherLeader, "\(L)委常委、宣传部部长"), (.otherLeader, "\(L)委常委、纪委书记"),
                (.otherLeader, "\(L)委常委、政法委书记"), (.otherLeader, "\(L)委常委、统战部部长"),
                (.otherLeader, "\(L)委常委、\(L)委办公室主任"), (.otherLeader, "\(L)委常委、人武部政委")]
    }

    func makeCadres() {
        var specs = [[(SampleRole, String)]](repeating: [], count: units.count)
        var otherRole = [SampleRole?](repeating: nil, count: units.count)
        var others = [Int](repeating: 0, count: units.count)
        let small = plan.households < 2_000
        for (u, unit) in units.enumerated() {
            switch unit.kind {
            case "four_bodies":
                specs[u] = leaders(of: unit)
                otherRole[u] = .departmentOther
                others[u] = small ? 0 : 4
            case "township":
                let x = String(areas[unit.area].name.last!)
                specs[u] = [(.townshipPrincipal, "\(x)党委书记"), (.townshipPrincipal, "\(x)长")]
                otherRole[u] = .townshipOther
                others[u] = small ? 1 : 6
            case "subdistrict":
                specs[u] = [(.subdistrictPrincipal, "街道党工委书记"), (.subdistrictPrincipal, "街道办事处主任")]
                otherRole[u] = .subdistrictOther
                others[u] = small ? 1 : 6
            case "armed_forces":
                specs[u] = [(.departmentPrincipal, "部长"), (.departmentPrincipal, "政委")]
                otherRole[u] = .departmentOther
                others[u] = small ? 0 : 2
            case "department", "mass_org", "stationed", "enterprise":
                let company = unit.staff == .company
                specs[u] = [(.departmentPrincipal, company ? "党委书记" : "党组书记"), (.departmentPrincipal, SampleUnits.headTitle(of: unit.name))]
                otherRole[u] = .departmentOther
                others[u] = small ? 0 : (unit.kind == "department" ? 2 : 1)
            default:
                break // garrison troops and volunteers link as units; their people are not on the register
            }
        }

        // Enough cadres, with a little to spare, to link every household within the quotas.
        var capacity = SampleQuota()
        var roleCount = 0
        for u in units.indices {
            for (role, _) in specs[u] { capacity.rural += rules.quota(role).rural; capacity.urban += rules.quota(role).urban }
            if let role = otherRole[u] {
                capacity.rural += others[u] * rules.quota(role).rural
                capacity.urban += others[u] * rules.quota(role).urban
            }
            roleCount += specs[u].count + others[u]
        }
        let needRural = Int((Double(plan.rural) * 1.06).rounded(.up)), needUrban = Int((Double(plan.urban) * 1.06).rounded(.up))
        let towns = units.indices.filter { units[$0].kind == "township" }
        let subdistricts = units.indices.filter { units[$0].kind == "subdistrict" }
        let departments = units.indices.filter { otherRole[$0] == .departmentOther }
        let qTO = rules.quota(.townshipOther).rural, qSO = rules.quota(.subdistrictOther).urban, qDO = rules.quota(.departmentOther).rural
        var extraTO = 0, extraSO = 0, extraDO = 0
        if needUrban > capacity.urban, qSO > 0, !subdistricts.isEmpty {
            extraSO = (needUrban - capacity.urban + qSO - 1) / qSO
            capacity.rural += extraSO * rules.quota(.subdistrictOther).rural
        }
        if needRural > capacity.rural {
            let missing = needRural - capacity.rural
            if qTO > 0 && !towns.isEmpty {
                extraTO = (qDO > 0 && !departments.isEmpty) ? Int((0.3 * Double(missing) / Double(qTO)).rounded(.up)) : (missing + qTO - 1) / qTO
            }
            if qDO > 0 && !departments.isEmpty {
                extraDO = max(0, (missing - extraTO * qTO + qDO - 1) / qDO)
            }
        }
        roleCount += extraTO + extraSO + extraDO
        if plan.roleCadreTarget > roleCount {
            let more = plan.roleCadreTarget - roleCount
            let to = towns.isEmpty ? 0 : more / 4
            let so = subdistricts.isEmpty ? 0 : more / 10
            extraTO += to
            extraSO += so
            if departments.isEmpty { extraTO += more - to - so } else { extraDO += more - to - so }
        }
        let areaHouseholds = areas.map { a in a.villages.reduce(0) { $0 + villages[$1].households.count } }
        for (k, n) in sampleApportion(extraTO, weights: towns.map { Double(areaHouseholds[units[$0].area] + 1) }).enumerated() {
            others[towns[k]] += n
        }
        for (k, n) in sampleApportion(extraSO, weights: subdistricts.map { Double(areaHouseholds[units[$0].area] + 1) }).enumerated() {
            others[subdistricts[k]] += n
        }
        for (k, n) in sampleApportion(extraDO, weights: departments.map { Double(units[$0].weight) }).enumerated() {
            others[departments[k]] += n
        }

        // Excluded staff: teachers, medical staff, enterprise employees, logistics.
        let roleTotal = units.indices.reduce(0) { $0 + specs[$1].count + others[$1] }
        let excludedTotal = Int((Double(roleTotal) * SampleUnits.excludedShare / (1 - SampleUnits.excludedShare)).rounded())
        var excluded = [[(SampleExclusion, Int)]](repeating: [], count: units.count)
        let staffed = units.indices.filter { otherRole[$0] != nil }
        var logistics = excludedTotal
        for (staff, kind, share) in [(SampleUnits.Staff.teachers, SampleExclusion.teacher, 0.35),
                                     (.medical, .medical, 0.25), (.company, .enterpriseStaff, 0.25)] {
            let holders = units.indices.filter { units[$0].staff == staff }
            guard !holders.isEmpty else { continue }
            let n = Int(Double(excludedTotal) * share)
            logistics -= n
            for (k, m) in sampleApportion(n, weights: holders.map { Double(units[$0].weight) }).enumerated() where m > 0 {
                excluded[holders[k]].append((kind, m))
            }
        }
        if !staffed.isEmpty {
            for (k, m) in sampleApportion(max(0, logistics), weights: staffed.map { Double(units[$0].weight) }).enumerated() where m > 0 {
                excluded[staffed[k]].append((.logistics, m))
            }
        }

        cadres.reserveCapacity(roleTotal + excludedTotal)
        for u in units.indices {
            let first = cadres.count
            for (role, title) in specs[u] { addCadre(unit: u, role: role, excluded: nil, title: title) }
            if let role = otherRole[u] {
                for k in 0..<others[u] { addCadre(unit: u, role: role, excluded: nil, title: otherTitle(unit: u, role: role, k)) }
            }
            for (kind, n) in excluded[u] {
                for _ in 0..<n { addCadre(unit: u, role: nil, excluded: kind, title: excludedTitle(kind)) }
            }
            units[u].cadres = first..<cadres.count
        }
    }

    private func addCadre(unit u: Int, role: SampleRole?, excluded: SampleExclusion?, title: String) {
        let male: Double, born: Int
        switch role {
        case .principalLeader?, .deputyHeadSubdistricts?, .otherLeader?:
            male = 0.88; born = rng.int(1955...1970)
        case .townshipPrincipal?, .subdistrictPrincipal?, .departmentPrincipal?:
            male = 0.82; born = rng.int(1958...1976)
        default:
            switch excluded {
            case .teacher?: male = 0.45
            case .medical?: male = 0.3
            default: male = role == nil ? 0.65 : 0.62
            }
            born = Int(min(1990, max(1953, rng.bell(mean: 1973, spread: 9))))
        }
        let person = people.make(male: rng.chance(male), born: born...born, &rng)
        let area = units[u].area
        cadres.append(Cadre(id: w.reserve(.cadre), unit: u, role: role, excluded: excluded, area: area, person: person,
                            phone: SamplePeople.mobile(&rng), title: title,
                            free: role.map { rules.quota($0) } ?? SampleQuota()))
    }

    /// The title of the `k`th other cadre of a unit: its single posts first, each once, then staff.
    private func otherTitle(unit u: Int, role: SampleRole, _ k: Int) -> String {
        let posts: [String], staff: [String]
        switch role {
        case .townshipOther:
            let x = String(areas[units[u].area].name.last!)
            posts = ["副\(x)长", "\(x)党委副书记", "副\(x)长", "\(x)人大主席", "\(x)纪委书记", "\(x)武装部长", "党政办主任",
                     "农业服务中心主任", "计生办主任", "民政办主任", "财政所所长", "司法所所长", "副\(x)长"]
            staff = ["科员", "科员", "干事", "干事", "包村干部"]
        case .subdistrictOther:
            posts = ["街道党工委副书记", "街道办事处副主任", "纪工委书记", "街道办事处副主任", "武装部长", "党政办主任"]
            staff = ["科员", "科员", "干事", "干事", "社区工作指导员"]
        default:
            if units[u].kind == "four_bodies" {
                posts = ["副秘书长", "副主任"]
                staff = ["秘书", "科长", "主任科员", "科员", "科员", "副主任"]
            } else {
                let deputy = "副" + SampleUnits.headTitle(of: units[u].name)
                posts = [deputy, deputy]
                staff = SampleUnits.staffTitles
            }
        }
        return k < posts.count ? posts[k] : rng.pick(staff)
    }

    private func excludedTitle(_ kind: SampleExclusion) -> String {
        switch kind {
        case .teacher: return "教师"
        case .medical: return rng.pick(["医生", "护士", "医生"])
        case .enterpriseStaff: return "职工"
        case .logistics: return rng.pick(["驾驶员", "工勤人员", "炊事员", "门卫"])
        }
    }

    func writeCadres() throws {
        let s = w.cadre
        for c in cadres {
            s.int(c.id); s.int(units[c.unit].id); s.text(c.person.name); s.text(c.person.male ? "男" : "女")
            s.text(c.person.residentID); s.text(c.phone); s.text(c.title); s.text(c.role?.code); s.text(c.excluded?.rawValue)
            s.text(c.leftOn >= 0 ? SampleDates.text(c.leftOn) : nil)
            try s.insert()
        }
    }
}
