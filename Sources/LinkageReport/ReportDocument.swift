import LinkageModel

/// A report as the office reads it: titled sections of key figures, tables, charts and text.
/// Built-in reports and Lua scripts build one; the renderers (HTML, XLSX, Markdown) write it.
/// It holds values, not presentation, so the same document gives the same bytes in each format.
public struct Report: Sendable, Equatable {
    public var title: String
    /// What the numbers are of, e.g. "2012, as of 2012-06-30 · 秦州区".
    public var subtitle: String?
    public var sections: [ReportSection]
    /// How the numbers are defined and where they come from; printed at the end.
    public var notes: [String]

    public init(title: String, subtitle: String? = nil, sections: [ReportSection] = [], notes: [String] = []) {
        self.title = title
        self.subtitle = subtitle
        self.sections = sections
        self.notes = notes
    }
}

public struct ReportSection: Sendable, Equatable {
    public var title: String
    /// The sheet's name in XLSX (at most 31 characters); the title when nil.
    public var sheetName: String?
    public var blocks: [ReportBlock]

    public init(title: String, sheetName: String? = nil, blocks: [ReportBlock] = []) {
        self.title = title
        self.sheetName = sheetName
        self.blocks = blocks
    }
}

public enum ReportBlock: Sendable, Equatable {
    case text(String)
    case figures([KeyFigure])
    case table(ReportTable)
    /// Every renderer shows a chart's numbers as a table too (beside it in HTML, under it in
    /// XLSX, instead of it in Markdown), so nothing is only in a picture.
    case chart(ReportChart)
}

/// A headline number: "households covered 98.2%".
public struct KeyFigure: Sendable, Equatable {
    public enum Tone: String, Sendable { case neutral, good, bad }
    public var label: String
    public var value: SQLValue
    public var format: ValueFormat
    /// A line under the number: "2,273 of 2,329".
    public var note: String?
    public var tone: Tone

    public init(_ label: String, _ value: SQLValue, format: ValueFormat = .automatic, note: String? = nil, tone: Tone = .neutral) {
        self.label = label
        self.value = value
        self.format = format
        self.note = note
        self.tone = tone
    }
}

/// How a number is shown. Values stay numbers (a percent is the fraction 0.982), so XLSX keeps
/// them as numbers with a number format.
public enum ValueFormat: Sendable, Equatable {
    /// Integers as integers with thousands separators, reals with up to two decimals, text as is.
    case automatic
    case text
    case integer
    case decimal(places: Int)
    /// A fraction shown as a percent: 0.982 → "98.2%".
    case percent(places: Int)
}

public struct ReportColumn: Sendable, Equatable {
    public var name: String
    public var format: ValueFormat

    public init(_ name: String, format: ValueFormat = .automatic) {
        self.name = name
        self.format = format
    }
}

public struct ReportTable: Sendable, Equatable {
    public var title: String?
    public var columns: [ReportColumn]
    public var rows: [[SQLValue]]
    /// A last row set apart (totals), or nil.
    public var totals: [SQLValue]?
    /// Rows the document left out (a list cut to its first N), said under the table.
    public var omitted: Int

    public init(title: String? = nil, columns: [ReportColumn], rows: [[SQLValue]], totals: [SQLValue]? = nil, omitted: Int = 0) {
        self.title = title
        self.columns = columns
        self.rows = rows
        self.totals = totals
        self.omitted = omitted
    }
}

public struct ReportChart: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case bar          // one bar per category and series, side by side
        case stackedBar   // series stacked in one bar per category
        case line         // one line per series across the categories (years)
    }

    public struct Series: Sendable, Equatable {
        public var name: String
        public var values: [Double]
        public init(_ name: String, _ values: [Double]) {
            self.name = name
            self.values = values
        }
    }

    public var kind: Kind
    public var title: String
    /// The categories along the axis (townships, years …).
    public var categories: [String]
    public var series: [Series]
    /// How the values are shown on the axis and in the table.
    public var format: ValueFormat

    public init(_ kind: Kind, title: String, categories: [String], series: [Series], format: ValueFormat = .automatic) {
        self.kind = kind
        self.title = title
        self.categories = categories
        self.series = series
        self.format = format
    }

    /// The chart's numbers as a table: one row per category, one column per series.
    public var table: ReportTable {
        ReportTable(title: title,
                    columns: [ReportColumn("", format: .text)] + series.map { ReportColumn($0.name, format: format) },
                    rows: categories.indices.map { i in
                        [.text(categories[i])] + series.map { i < $0.values.count ? .real($0.values[i]) : .null }
                    })
    }
}
