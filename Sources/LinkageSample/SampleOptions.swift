import Foundation
import LinkageModel

/// How big a sample register is.
public enum SampleScale: Equatable, Sendable, CustomStringConvertible {
    /// The seed district, Qinzhou (秦州区): 23 areas, 214 villages, 41 communities, 7,790 households.
    case district
    /// Gansu's 87 counties: ≈ 1,000,000 households, ≈ 410,000 cadres, ≈ 15,500 villages and
    /// communities, ≈ 14,000 units.
    case province
    /// The 2014 national register: ≈ 29,500,000 households in 31 provinces.
    case nation
    /// This many households, everything else in the seed district's proportions.
    case households(Int)

    /// `district`, `province`, `nation` or a positive number of households.
    public init?(_ text: String) {
        switch text.lowercased() {
        case "district": self = .district
        case "province": self = .province
        case "nation": self = .nation
        default:
            let digits = text.replacingOccurrences(of: "_", with: "").replacingOccurrences(of: ",", with: "")
            guard let n = Int(digits), n > 0, n <= 100_000_000 else { return nil }
            self = .households(n)
        }
    }

    public var description: String {
        switch self {
        case .district: return "district"
        case .province: return "province"
        case .nation: return "nation"
        case .households(let n): return "\(n) households"
        }
    }
}

/// How much of the register is linked.
public enum SampleLinkage: String, Sendable, CaseIterable {
    /// No links, hence no visits, activities, problems or surveys either.
    case none
    /// About 70% of households and of villages and communities linked.
    case partial
    /// Every household, village and community linked within the quotas.
    case full
}

public struct SampleOptions: Sendable {
    public var scale: SampleScale
    public var seed: UInt64
    public var linked: SampleLinkage
    /// Generation settings for a file that held nothing before: rollback journal instead of WAL,
    /// `synchronous = OFF` and a large page cache, during generation only. A crash then loses
    /// the sample, never anything else.
    public var newFile: Bool
    /// Every constraint, trigger and foreign key checked on every row as it is written, and every
    /// row audited (about three times slower, three times the file). Otherwise a bulk load: see
    /// `SampleGenerator`.
    public var checked: Bool
    /// Who asked, for the audit log; nil: no audit session.
    public var audit: AuditSource?

    public init(scale: SampleScale = .district, seed: UInt64 = 1, linked: SampleLinkage = .full, newFile: Bool = false,
                checked: Bool = false, audit: AuditSource? = nil) {
        self.scale = scale
        self.seed = seed
        self.linked = linked
        self.newFile = newFile
        self.checked = checked
        self.audit = audit
    }
}

/// What a generation wrote.
public struct SampleReport: Sendable {
    /// Rows written per table, in the order of `Schema.tables`.
    public var rows: [(table: String, count: Int)]
    public var seconds: Double
    /// Every household quota of `quota_rule` was multiplied by this (1: the seed's numbers).
    public var householdQuotaFactor: Int
    /// Counties generated (one for the district).
    public var counties: Int
    /// Whether indexes were dropped during the load and built after it.
    public var indexesRebuilt = false

    public var totalRows: Int { rows.reduce(0) { $0 + $1.count } }

    public func count(_ table: String) -> Int { rows.first { $0.table == table }?.count ?? 0 }
}

/// Progress of a long generation, once per county.
public struct SampleProgress: Sendable {
    public var countiesDone: Int
    public var counties: Int
    public var households: Int
    public var rows: Int
}

/// A generation that could not be done; the transaction is rolled back.
public struct SampleError: Error, LocalizedError, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var errorDescription: String? { message }
}
