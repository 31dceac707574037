import LinkageModel

/// Personal names, resident IDs, phones and dates that look like a real register's.
enum SamplePeople {
    /// The common surnames, weighted by their share of the population (per ten thousand, roughly
    /// the national figures, with 马 raised as in Gansu).
    static let surnames = SampleWeighted<String>([
        ("王", 725), ("李", 719), ("张", 683), ("刘", 538), ("陈", 453), ("杨", 308), ("赵", 229), ("黄", 223),
        ("周", 205), ("吴", 205), ("徐", 167), ("孙", 154), ("马", 260), ("朱", 126), ("胡", 131), ("郭", 115),
        ("何", 118), ("高", 100), ("林", 101), ("罗", 86), ("郑", 78), ("梁", 74), ("谢", 72), ("宋", 63),
        ("唐", 61), ("许", 58), ("韩", 55), ("冯", 54), ("邓", 55), ("曹", 51), ("彭", 48), ("曾", 47),
        ("肖", 44), ("田", 45), ("董", 46), ("袁", 41), ("潘", 40), ("于", 40), ("蒋", 39), ("蔡", 39),
        ("余", 38), ("杜", 36), ("叶", 36), ("程", 35), ("苏", 33), ("魏", 45), ("吕", 32), ("丁", 31),
        ("任", 30), ("沈", 29), ("姚", 28), ("卢", 28), ("姜", 27), ("崔", 26), ("钟", 25), ("谭", 25),
        ("陆", 24), ("汪", 40), ("范", 23), ("金", 22), ("石", 22), ("廖", 22), ("贾", 21), ("夏", 21),
        ("韦", 20), ("付", 20), ("方", 20), ("白", 20), ("邹", 19), ("孟", 19), ("熊", 18), ("秦", 18),
        ("邱", 17), ("江", 17), ("尹", 17), ("薛", 16), ("闫", 16), ("段", 16), ("雷", 16), ("侯", 15),
        ("龙", 15), ("史", 15), ("陶", 14), ("黎", 14), ("贺", 14), ("顾", 13), ("毛", 13), ("郝", 13),
        ("龚", 13), ("邵", 13), ("万", 12), ("钱", 12), ("严", 12), ("武", 12), ("戴", 12), ("孔", 11),
        ("牛", 14), ("巩", 8), ("蒲", 8), ("裴", 8), ("令狐", 3), ("欧阳", 3), ("安", 10), ("康", 10),
    ])

    static let maleChars = Array("伟强军磊勇杰涛斌超明刚平辉鹏华飞鑫波宁龙林峰建国俊德文志海东福生成荣贵宝山有忠兴旺虎学祥才发武新利清彬亮健世正中永全喜春庆瑞义仁孝军斌宏亮晓")
    static let femaleChars = Array("芳娜敏静丽艳娟霞燕玲英萍红梅琴兰秀花凤珍莲桂玉香月云彩菊翠巧美娥慧婷雪琳颖倩晶妮丹蓉小晓")
    static let olderMaleNames = ["建国", "建军", "建华", "国强", "国华", "志强", "志明", "德明", "福生", "长生", "永福", "有才",
                                 "金山", "玉明", "天祥", "振华", "文明", "正义", "宝山", "满仓", "来福", "根生", "守义", "占江",
                                 "双喜", "喜平", "新民", "卫东", "红军", "向东", "爱国", "拴牢", "存明", "怀仁", "天保", "福禄"]
    static let olderFemaleNames = ["秀英", "桂英", "秀兰", "玉兰", "桂兰", "凤英", "玉梅", "淑珍", "秀珍", "素芳", "彩霞", "金花",
                                   "翠花", "春梅", "冬梅", "菊花", "红梅", "爱莲", "改莲", "引弟", "改改", "粉霞", "兰英", "月娥"]

    /// A name of 2 or 3 characters (rarely 4, with a double surname), fitting the sex and generation.
    static func name(male: Bool, bornYear: Int, _ rng: inout SampleRandom) -> String {
        let surname = surnames.pick(&rng)
        if bornYear < 1965 && rng.chance(0.4) {
            return surname + rng.pick(male ? olderMaleNames : olderFemaleNames)
        }
        let chars = male ? maleChars : femaleChars
        let first = rng.pick(chars)
        if rng.chance(0.22) { return surname + String(first) }
        var second = rng.pick(chars)
        if second == first && !(male == false && rng.chance(0.3)) { second = rng.pick(chars) }
        return surname + String(first) + String(second)
    }

    /// An 11-digit mobile number of 2012: 13x, 15x or 18x.
    static func mobile(_ rng: inout SampleRandom) -> String {
        let prefixes = mobilePrefixes
        var bytes = Array(prefixes[rng.below(prefixes.count)].utf8)
        for _ in 0..<8 { bytes.append(UInt8(48 + rng.below(10))) }
        return String(decoding: bytes, as: UTF8.self)
    }

    static let mobilePrefixes = ["130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
                                 "150", "151", "152", "153", "155", "156", "157", "158", "159",
                                 "180", "181", "182", "183", "185", "186", "187", "188", "189"]

    /// The 18-character resident ID: area, birth date, a sequence whose parity is the sex
    /// (odd for men), and the GB 11643 check character.
    static func residentID(area: [UInt8], year: Int, month: Int, day: Int, sequence: Int) -> String {
        var digits = [Int]()
        digits.reserveCapacity(17)
        for b in area { digits.append(Int(b) - 48) }
        digits.append(contentsOf: [year / 1000, year / 100 % 10, year / 10 % 10, year % 10,
                                   month / 10, month % 10, day / 10, day % 10,
                                   sequence / 100, sequence / 10 % 10, sequence % 10])
        var bytes = digits.map { UInt8(48 + $0) }
        bytes.append(UInt8(ResidentID.checkCharacter(for: digits).asciiValue!))
        return String(decoding: bytes, as: UTF8.self)
    }

    static let chineseNumbers = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五"]
}

/// One person's identity, unique within a county: the county's code, a birth date and a sequence
/// never used twice there (so never twice in the register, since counties have distinct codes).
struct SamplePersonMaker {
    let area: [UInt8]
    private var used = Set<Int>()

    init(countyCode: String) { area = Array(countyCode.utf8) }

    struct Person {
        var name: String
        var male: Bool
        var bornYear: Int
        var residentID: String
    }

    mutating func make(male: Bool, born: ClosedRange<Int>, _ rng: inout SampleRandom) -> Person {
        while true {
            let year = rng.int(born)
            let dayOfYear = rng.below(SampleDates.daysIn(year))
            let (month, day) = SampleDates.monthDay(year: year, dayOfYear: dayOfYear)
            var sequence = rng.below(500) * 2 + (male ? 1 : 0)
            if sequence == 0 { sequence = 2 }
            let key = (year * 366 + dayOfYear) * 1000 + sequence
            guard used.insert(key).inserted else { continue }
            let id = SamplePeople.residentID(area: area, year: year, month: month, day: day, sequence: sequence)
            return Person(name: SamplePeople.name(male: male, bornYear: year, &rng), male: male, bornYear: year, residentID: id)
        }
    }
}

/// Days of 2012 (a leap year) as indexes 0...365, and their 'YYYY-MM-DD' texts.
enum SampleDates {
    static let lastDay = 365

    static let texts: [String] = (0..<366).map { d in
        let (m, day) = monthDay(year: 2012, dayOfYear: d)
        return "2012-" + (m < 10 ? "0" : "") + String(m) + "-" + (day < 10 ? "0" : "") + String(day)
    }

    /// The index in 2012 of a month and day.
    static func day(_ month: Int, _ day: Int) -> Int {
        var d = day - 1
        for m in 1..<month { d += monthLength(year: 2012, month: m) }
        return d
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
    static func daysIn(_ y: Int) -> Int { isLeap(y) ? 366 : 365 }

    static func monthLength(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func monthDay(year: Int, dayOfYear: Int) -> (Int, Int) {
        var d = dayOfYear
        var m = 1
        while d >= monthLength(year: year, month: m) {
            d -= monthLength(year: year, month: m)
            m += 1
        }
        return (m, d + 1)
    }

    static func text(_ day: Int) -> String { texts[min(max(day, 0), lastDay)] }
}
