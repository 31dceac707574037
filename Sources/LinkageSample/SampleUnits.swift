import LinkageModel

/// The names of a county's units (参与范围), the titles of their people, and who of their staff
/// never links (教师、医务人员、企业职工、机关工勤人员).
///
/// In a name, `{C}` is 区 in the one-district sample and the county's name otherwise (区发改局,
/// 榆中县发改局); `{N}` is always the county's name and `{S}` its short name (中国移动秦州分公司).
enum SampleUnits {
    /// Share of a county's cadres who are excluded staff.
    static let excludedShare = 0.08

    /// Staff some units have many of, who do not link.
    enum Staff { case teachers, medical, company }

    struct Template {
        let name: String
        /// Relative size: how many of the county's department cadres work here.
        let weight: Int
        let staff: Staff?
        init(_ name: String, _ weight: Int = 1, _ staff: Staff? = nil) {
            self.name = name
            self.weight = weight
            self.staff = staff
        }
    }

    /// 区直部门、单位, the most common first (a small county keeps the first ones).
    static let departments: [Template] = [
        Template("{C}委办公室", 3), Template("{C}政府办公室", 3), Template("{C}财政局", 3), Template("{C}教育局", 4, .teachers),
        Template("{C}卫生局", 3, .medical), Template("{C}发改局", 2), Template("{C}民政局", 2), Template("{C}农业局", 3),
        Template("{C}扶贫办", 2), Template("{C}委组织部", 2), Template("{C}委宣传部", 2), Template("{C}纪委", 2),
        Template("{C}人社局", 2), Template("{C}公安局", 5), Template("{C}住建局", 2), Template("{C}交通运输局", 2),
        Template("{C}水务局", 2), Template("{C}林业局", 2), Template("{C}委统战部"), Template("{C}委政法委"),
        Template("{C}司法局"), Template("{C}畜牧兽医局", 2), Template("{C}统计局"), Template("{C}审计局"),
        Template("{C}环保局"), Template("{C}工信局"), Template("{C}商务局"), Template("{C}文体广电局", 2),
        Template("{C}科技局"), Template("{C}安监局"), Template("{C}国土资源局", 2), Template("{C}食品药品监管局"),
        Template("{C}人口计生局", 2), Template("{C}城管局", 2), Template("{C}人民法院", 3), Template("{C}人民检察院", 2),
        Template("{C}果业局"), Template("{C}农机局"), Template("{C}粮食局"), Template("{C}旅游局"),
        Template("{C}档案局"), Template("{C}地方志办公室"), Template("{C}招商局"), Template("{C}信访局"),
        Template("{C}编办"), Template("{C}直机关工委"), Template("{C}老干部局"), Template("{C}委党校", 1, .teachers),
        Template("{C}委政策研究室"), Template("{C}机关事务管理局"), Template("{C}供销联社"), Template("{C}水土保持局"),
        Template("{C}房产管理局"), Template("{C}物价局"), Template("{C}国资办"), Template("{C}疾病预防控制中心", 2, .medical),
        Template("{C}人民医院", 3, .medical), Template("{C}职业中等专业学校", 2, .teachers), Template("{C}农业技术推广中心"),
        Template("{C}广播电视台"), Template("{C}经济合作局"), Template("{C}蔬菜局"), Template("{C}图书馆"),
        Template("{C}文化馆"), Template("{C}中医医院", 2, .medical), Template("{C}妇幼保健站", 1, .medical),
        Template("{C}人防办"), Template("{C}移民办"), Template("{C}农村能源办"), Template("{C}民族宗教局"), Template("{C}法制办"),
        Template("{C}住房公积金管理中心"), Template("{C}就业服务局"), Template("{C}教研室", 1, .teachers),
        Template("{C}第一中学", 2, .teachers), Template("{C}实验小学", 1, .teachers), Template("{C}乡镇企业局"),
        Template("{C}社会保险事业管理局"),
    ]

    /// 群团组织.
    static let massOrgs: [Template] = [
        Template("{C}总工会"), Template("团{C}委"), Template("{C}妇联"), Template("{C}科协"), Template("{C}文联"),
        Template("{C}工商联"), Template("{C}残联"), Template("{C}红十字会"), Template("{C}关工委"),
    ]

    static let armedForces = Template("{C}人武部")

    /// 驻区部队.
    static let garrisons = ["武警{S}中队", "{S}公安消防大队", "驻{S}解放军某部", "{S}预备役营"]

    /// 驻区单位: central and provincial units in the county.
    static let stationed: [Template] = [
        Template("{N}国家税务局", 2), Template("{N}地方税务局", 2), Template("{N}工商行政管理局", 2), Template("{N}质量技术监督局"),
        Template("{N}烟草专卖局"), Template("{N}气象局"), Template("国网{S}供电公司", 2, .company), Template("中国移动{S}分公司", 1, .company),
        Template("中国联通{S}分公司", 1, .company), Template("中国电信{S}分公司", 1, .company), Template("中国邮政{S}分公司", 1, .company),
        Template("中国农业银行{S}支行", 2, .company), Template("中国工商银行{S}支行", 1, .company), Template("中国建设银行{S}支行", 1, .company),
        Template("中国银行{S}支行", 1, .company), Template("中国农业发展银行{S}支行", 1, .company), Template("中国邮政储蓄银行{S}支行", 1, .company),
        Template("{S}农村信用合作联社", 2, .company), Template("中国人民银行{S}支行"), Template("中国人保财险{S}支公司", 1, .company),
        Template("中国人寿{S}支公司", 1, .company), Template("{N}公路管理段"), Template("{S}国家粮食储备库", 1, .company),
        Template("{S}水文站"), Template("{N}地震局"), Template("国家统计局{S}调查队"), Template("{S}新华书店", 1, .company),
        Template("广电网络{S}分公司", 1, .company), Template("中石油{S}销售分公司", 1, .company), Template("中石化{S}石油分公司", 1, .company),
        Template("{S}盐业公司", 1, .company), Template("{S}国有林场"), Template("中国平安{S}支公司", 1, .company),
        Template("{S}车务段", 1, .company), Template("{S}火车站", 1, .company), Template("{S}汽车站", 1, .company),
        Template("{S}自来水公司", 1, .company), Template("{S}热力公司", 1, .company), Template("{S}天然气公司", 1, .company),
        Template("{N}森林公安局"), Template("{N}无线电管理站"), Template("{S}监狱", 2), Template("{N}水利工程管理所"),
        Template("{S}国营农场", 1, .company), Template("中国太平洋保险{S}支公司", 1, .company), Template("{N}邮政管理局"),
    ]

    /// 区属企业.
    static let enterprises = ["{N}城市建设投资有限公司", "{N}国有资产经营有限公司", "{N}供排水公司", "{N}建筑工程公司",
                              "{N}果品公司", "{N}粮油购销公司", "{N}物资总公司", "{N}农业发展投资有限公司", "{N}市政工程公司",
                              "{N}园林绿化公司", "{N}公共交通公司", "{N}宾馆", "{N}印刷厂", "{N}农机公司", "{N}蔬菜公司"]

    /// Volunteers: social organisations and private firms.
    static let volunteers = ["{S}商会", "{S}慈善协会", "{S}青年志愿者协会", "{S}民营企业家协会"]

    /// A prefecture's own units (市直部门), placed in its counties as stationed units.
    static let prefectureUnits = [
        "{P}委办公室", "{P}政府办公室", "{P}发展和改革委员会", "{P}财政局", "{P}教育局", "{P}卫生局", "{P}民政局", "{P}农牧局",
        "{P}林业局", "{P}水务局", "{P}交通运输局", "{P}人社局", "{P}住建局", "{P}国土资源局", "{P}扶贫办", "{P}统计局",
        "{P}审计局", "{P}商务局", "{P}公安局", "{P}司法局", "{P}文化广电局", "{P}工信委", "{P}环保局", "{P}科技局",
        "{P}委组织部", "{P}委宣传部", "{P}纪委", "{P}委统战部", "{P}委政法委", "{P}总工会", "团{P}委", "{P}妇联", "{P}科协",
        "{P}中级人民法院", "{P}人民检察院", "{P}委党校", "{P}人大常委会办公室", "{P}政协办公室", "{P}安监局", "{P}食品药品监管局",
        "{P}旅游局", "{P}粮食局", "{P}档案局", "{P}信访局", "{P}国资委", "{P}气象局", "{P}地方税务局", "{P}国家税务局",
        "{P}工商行政管理局", "{P}质量技术监督局", "{P}人口计生委", "{P}城管执法局", "{P}果业局", "{P}畜牧兽医局",
        "{P}规划局", "{P}体育局", "{P}残联", "{P}科技馆", "{P}第一人民医院", "{P}广播电视台",
    ]

    /// The province's own units (省直部门、单位), placed in its counties as stationed units.
    static let provinceUnits = [
        "甘肃省委办公厅", "甘肃省政府办公厅", "甘肃省人大常委会办公厅", "甘肃省政协办公厅", "甘肃省委组织部", "甘肃省委宣传部",
        "甘肃省委统战部", "甘肃省委政法委", "甘肃省纪委", "甘肃省发展和改革委员会", "甘肃省教育厅", "甘肃省科学技术厅",
        "甘肃省工业和信息化委员会", "甘肃省民族事务委员会", "甘肃省公安厅", "甘肃省民政厅", "甘肃省司法厅", "甘肃省财政厅",
        "甘肃省人力资源和社会保障厅", "甘肃省国土资源厅", "甘肃省环境保护厅", "甘肃省住房和城乡建设厅", "甘肃省交通运输厅",
        "甘肃省水利厅", "甘肃省农牧厅", "甘肃省林业厅", "甘肃省商务厅", "甘肃省文化厅", "甘肃省卫生厅",
        "甘肃省人口和计划生育委员会", "甘肃省审计厅", "甘肃省国资委", "甘肃省地方税务局", "甘肃省工商行政管理局",
        "甘肃省质量技术监督局", "甘肃省新闻出版广电局", "甘肃省体育局", "甘肃省安全生产监督管理局", "甘肃省统计局",
        "甘肃省旅游局", "甘肃省扶贫办", "甘肃省粮食局", "甘肃省机关事务管理局", "甘肃省档案局", "甘肃省信访局",
        "甘肃省政府法制办", "甘肃省社会科学院", "甘肃省农业科学院", "甘肃省政府研究室", "甘肃省总工会", "共青团甘肃省委",
        "甘肃省妇联", "甘肃省科协", "甘肃省文联", "甘肃省残联", "兰州大学", "西北师范大学", "兰州理工大学", "甘肃农业大学",
        "兰州交通大学", "甘肃日报社", "甘肃省电力公司", "酒泉钢铁集团公司", "金川集团公司", "白银有色集团公司",
        "甘肃省建设投资集团公司", "甘肃省公路航空旅游投资集团", "甘肃省农垦集团", "兰州石化公司", "甘肃省地矿局",
        "甘肃省气象局", "甘肃省通信管理局", "甘肃省邮政公司", "中国人民银行兰州中心支行", "甘肃银监局",
        "甘肃省农村信用社联合社", "甘肃省烟草专卖局", "甘肃省监狱管理局", "甘肃省中医院", "甘肃省人民医院",
    ]

    /// The four leading bodies (四大班子).
    static let fourBodies = ["{C}委", "{C}政府", "{C}人大常委会", "{C}政协"]

    static func name(_ template: String, prefix: String, county: SampleCountyPlan) -> String {
        name(template, prefix: prefix, name: county.name, short: county.short)
    }

    static func name(_ template: String, prefix: String, name: String, short: String) -> String {
        template.replacingOccurrences(of: "{C}", with: prefix)
            .replacingOccurrences(of: "{N}", with: name)
            .replacingOccurrences(of: "{S}", with: short)
    }

    /// Every name the templates can give a county's units in a sample of several counties. Names
    /// of two counties can meet (团红湖县委 is 红湖县's 团{C}委 and 团红湖县's {C}委), so the plan
    /// picks county names whose unit names no earlier county has.
    static func countyUnitNames(name county: String, short: String) -> [String] {
        let templates = fourBodies + departments.map(\.name) + massOrgs.map(\.name) + [armedForces.name] + garrisons
            + stationed.map(\.name) + enterprises + volunteers
        return templates.map { name($0, prefix: county, name: county, short: short) }
    }

    /// The head's title, read from how a unit's name ends.
    static func headTitle(of name: String) -> String {
        let endings: [(String, String)] = [
            ("人民法院", "院长"), ("人民检察院", "检察长"), ("医院", "院长"), ("学校", "校长"), ("党校", "常务副校长"),
            ("委办公室", "主任"), ("办公室", "主任"), ("办公厅", "主任"), ("组织部", "部长"), ("宣传部", "部长"), ("统战部", "部长"),
            ("人武部", "部长"), ("政法委", "书记"), ("纪委", "书记"), ("工委", "书记"), ("团" , "书记"), ("支行", "行长"),
            ("联社", "主任"), ("公司", "总经理"), ("集团", "董事长"), ("银监局", "局长"), ("局", "局长"), ("厅", "厅长"),
            ("委员会", "主任"), ("委", "主任"), ("办", "主任"), ("中心", "主任"), ("站", "站长"), ("馆", "馆长"), ("台", "台长"),
            ("院", "院长"), ("段", "段长"), ("库", "主任"), ("场", "场长"), ("队", "队长"), ("会", "主席"), ("联", "主席"),
            ("社", "社长"), ("大学", "校长"), ("厂", "厂长"), ("宾馆", "经理"),
        ]
        if name.hasPrefix("团") { return "书记" }
        for (ending, title) in endings where name.hasSuffix(ending) { return title }
        return "主任"
    }

    static let staffTitles = ["科长", "股长", "主任科员", "副主任科员", "科员", "科员", "科员", "办事员", "干部"]
}
