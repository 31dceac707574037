import Foundation
import LinkageModel

/// A report's chart drawn as SVG, the same bytes for the same chart.
///
/// - `bar` and `stackedBar` are drawn as **horizontal** bars: the categories are mostly township
///   names, often long and Chinese, and a row each gives every name a line of its own to the left
///   of its bar, read without rotating the head; the chart grows downwards (a phone scrolls that
///   way anyway), so one layout serves 1 category or 40. Grouped bars put a thinner bar per series
///   in each row.
/// - `line` runs the categories (years, months) along the bottom and the values up the side; when
///   the labels do not fit under their points only every k-th is shown.
///
/// Values: the value axis always includes zero and runs between round ticks (1, 2 or 5 × 10ⁿ
/// apart) labelled with `ValueText` in the chart's format. Negative values are drawn leftwards
/// (downwards) from zero; in a stacked bar the negative parts stack leftwards from zero and the
/// positive ones rightwards, as spreadsheets do. A missing value (a series shorter than the
/// categories, NaN or infinite) draws nothing. All-zero values give an axis from 0 to 1.
///
/// Text that does not fit (a category, a series name) is cut with "…" and keeps its full text in a
/// `<title>`, shown on hover; each bar and point also has a `<title>` with its value. The chart's
/// title is the SVG's `<title>` (its accessible name, with `role="img"`) and is not drawn: the HTML
/// report writes it above the chart. Colours are the Okabe–Ito palette, told apart with colour
/// blindness; lines also differ by dash pattern.
public enum SVGChart {
    /// Okabe–Ito, yellow late since it shows faintly on white.
    public static let palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
    /// The lines' dash patterns, by series, so that lines differ without colour too.
    static let dashes = ["", "6 3", "2 3", "8 3 2 3"]
    /// The HTML report's font stack; set on the SVG so that a chart saved alone shows Chinese too.
    public static let fontFamily = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif"
    /// The drawing's width in user units (CSS pixels when not scaled); the height follows the data.
    public static let width = 440.0
    static let margin = 4.0
    static let fontSize = 13.0

    /// The chart as one `<svg>` element.
    public static func render(_ chart: ReportChart) -> String {
        guard !chart.categories.isEmpty, !chart.series.isEmpty else {
            return svg(chart, height: 48, body: "<text x=\"\(n(width / 2))\" y=\"28\" text-anchor=\"middle\" fill=\"#59636e\">无数据</text>")
        }
        switch chart.kind {
        case .bar, .stackedBar: return horizontalBars(chart)
        case .line: return lines(chart)
        }
    }

    // MARK: - Bars

    static func horizontalBars(_ chart: ReportChart) -> String {
        let stacked = chart.kind == .stackedBar
        let count = chart.series.count
        var low = 0.0, high = 0.0
        for i in chart.categories.indices {
            let values = chart.series.compactMap { value($0, i) }
            if stacked {
                high = max(high, values.filter { $0 > 0 }.reduce(0, +))
                low = min(low, values.filter { $0 < 0 }.reduce(0, +))
            } else {
                high = max(high, values.max() ?? 0)
                low = min(low, values.min() ?? 0)
            }
        }
        let axis = ValueAxis(low: low, high: high, wholeNumbers: wholeNumbers(chart))
        let tickLabels = axis.ticks.map { axis.label($0, chart.format) }
        let (legendMarkup, legendHeight) = legend(chart.series, lines: false)
        let top = margin + legendHeight

        let names = chart.categories.map { fit($0, width * 0.36) }
        let labelColumn = names.map { textWidth($0) }.max() ?? 0
        let x0 = max(margin + labelColumn + 8, margin + textWidth(tickLabels.first ?? "") / 2)
        let x1 = width - margin - textWidth(tickLabels.last ?? "") / 2
        let thickness = stacked || count == 1 ? 16.0 : 10.0
        let band = stacked ? thickness + 8 : Double(count) * thickness + 8
        let bottom = top + band * Double(chart.categories.count)
        let x = { (v: Double) in axis.position(v, from: x0, to: x1) }

        var body = legendMarkup + "<g class=\"grid\">"
        for (t, label) in zip(axis.ticks, tickLabels) {
            body += "<line x1=\"\(n(x(t)))\" y1=\"\(n(top))\" x2=\"\(n(x(t)))\" y2=\"\(n(bottom))\" stroke=\"#d1d9e0\"/>"
            body += "<text x=\"\(n(x(t)))\" y=\"\(n(bottom + 16))\" text-anchor=\"middle\" fill=\"#59636e\">\(MarkupEscape.escaped(label))</text>"
        }
        body += "</g>"
        for (i, category) in chart.categories.enumerated() {
            let rowTop = top + band * Double(i) + 4
            body += "<text x=\"\(n(x0 - 6))\" y=\"\(n(rowTop + band / 2 - 4))\" dy=\"0.35em\" text-anchor=\"end\">"
                + titled(names[i], full: category) + "</text>"
            var positive = 0.0, negative = 0.0
            for (s, series) in chart.series.enumerated() {
                guard let v = value(series, i) else { continue }
                let from: Double, to: Double, y: Double
                if stacked {
                    from = v >= 0 ? positive : negative
                    to = from + v
                    if v >= 0 { positive = to } else { negative = to }
                    y = rowTop
                } else {
                    (from, to, y) = (0, v, rowTop + thickness * Double(s))
                }
                let tip = (count > 1 ? "\(category) · \(series.name)" : category) + ": " + ValueText.text(.real(v), chart.format)
                body += "<rect class=\"bar\" x=\"\(n(x(min(from, to))))\" y=\"\(n(y))\" width=\"\(n(abs(x(to) - x(from))))\" height=\"\(n(thickness))\""
                    + " fill=\"\(color(s))\"><title>\(MarkupEscape.escaped(tip))</title></rect>"
            }
        }
        body += "<line class=\"zero\" x1=\"\(n(x(0)))\" y1=\"\(n(top))\" x2=\"\(n(x(0)))\" y2=\"\(n(bottom))\" stroke=\"#59636e\"/>"
        return svg(chart, height: bottom + 24, body: body)
    }

    // MARK: - Lines

    static func lines(_ chart: ReportChart) -> String {
        let values = chart.series.flatMap { s in chart.categories.indices.compactMap { value(s, $0) } }
        let axis = ValueAxis(low: min(0, values.min() ?? 0), high: max(0, values.max() ?? 0), wholeNumbers: wholeNumbers(chart))
        let tickLabels = axis.ticks.map { axis.label($0, chart.format) }
        let (legendMarkup, legendHeight) = legend(chart.series, lines: true)
        let top = margin + legendHeight + 8  // room above the top tick's label
        let bottom = top + 200
        let x0 = margin + (tickLabels.map { textWidth($0) }.max() ?? 0) + 8
        let x1 = width - margin - 8
        let slot = (x1 - x0) / Double(chart.categories.count)
        let x = { (i: Int) in x0 + slot * (Double(i) + 0.5) }
        let y = { (v: Double) in axis.position(v, from: bottom, to: top) }

        var body = legendMarkup + "<g class=\"grid\">"
        for (t, label) in zip(axis.ticks, tickLabels) {
            body += "<line x1=\"\(n(x0))\" y1=\"\(n(y(t)))\" x2=\"\(n(x1))\" y2=\"\(n(y(t)))\" stroke=\"\(t == 0 ? "#59636e" : "#d1d9e0")\"/>"
            body += "<text x=\"\(n(x0 - 6))\" y=\"\(n(y(t)))\" dy=\"0.35em\" text-anchor=\"end\" fill=\"#59636e\">\(MarkupEscape.escaped(label))</text>"
        }
        body += "</g>"
        // Every k-th label, k as small as lets each (cut to at most 120 units) fit its share.
        let widest = min(chart.categories.map { textWidth($0) }.max() ?? 0, 120)
        var every = 1
        while every < chart.categories.count && Double(every) * slot < widest + 6 { every += 1 }
        for (i, category) in chart.categories.enumerated() where i % every == 0 {
            let label = fit(category, Double(every) * slot - 6)
            let half = textWidth(label) / 2
            body += "<text x=\"\(n(min(max(x(i), half + margin), width - margin - half)))\" y=\"\(n(bottom + 16))\" text-anchor=\"middle\">"
                + titled(label, full: category) + "</text>"
        }
        for (s, series) in chart.series.enumerated() {
            var path = "", penDown = false
            var points = ""
            for i in chart.categories.indices {
                guard let v = value(series, i) else { penDown = false; continue }
                path += (penDown ? "L" : "M") + "\(n(x(i))),\(n(y(v)))"
                penDown = true
                let tip = "\(chart.categories[i]) · \(series.name): " + ValueText.text(.real(v), chart.format)
                points += "<circle cx=\"\(n(x(i)))\" cy=\"\(n(y(v)))\" r=\"3\" fill=\"\(color(s))\"><title>\(MarkupEscape.escaped(tip))</title></circle>"
            }
            guard !path.isEmpty else { continue }
            body += "<g class=\"series\"><path d=\"\(path)\" fill=\"none\" stroke=\"\(color(s))\" stroke-width=\"2\"\(dash(s))/>\(points)</g>"
        }
        return svg(chart, height: bottom + 26, body: body)
    }

    // MARK: - Parts

    /// The series' names in rows across the top (only when there is more than one series), and the
    /// height they take.
    static func legend(_ series: [ReportChart.Series], lines: Bool) -> (String, Double) {
        guard series.count > 1 else { return ("", 0) }
        var out = "<g class=\"legend\">"
        // Rows 18 units apart, the first a little down: a Chinese font's text box is about 1.45 em
        // tall, and half of it must stay inside the drawing above the row's middle.
        var x = margin, y = margin + 4
        for (s, item) in series.enumerated() {
            let name = fit(item.name, width * 0.6)
            let itemWidth = 20 + textWidth(name) + 14
            if x > margin && x + itemWidth > width - margin { (x, y) = (margin, y + 18) }
            out += lines
                ? "<line x1=\"\(n(x))\" y1=\"\(n(y + 6))\" x2=\"\(n(x + 16))\" y2=\"\(n(y + 6))\" stroke=\"\(color(s))\" stroke-width=\"2\"\(dash(s))/>"
                : "<rect x=\"\(n(x + 2))\" y=\"\(n(y))\" width=\"12\" height=\"12\" fill=\"\(color(s))\"/>"
            out += "<text x=\"\(n(x + 20))\" y=\"\(n(y + 6))\" dy=\"0.35em\">" + titled(name, full: item.name) + "</text>"
            x += itemWidth
        }
        return (out + "</g>", y + 18 + 4 - margin)
    }

    static func svg(_ chart: ReportChart, height: Double, body: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\""
            + " role=\"img\" font-family=\"\(fontFamily)\" font-size=\"\(n(fontSize))\">"
            + "<title>\(MarkupEscape.escaped(chart.title))</title>" + body + "</svg>"
    }

    /// Cut text keeps its whole in a `<title>` child of its `<text>`.
    static func titled(_ shown: String, full: String) -> String {
        (shown == full ? "" : "<title>\(MarkupEscape.escaped(full))</title>") + MarkupEscape.escaped(shown)
    }

    static func value(_ series: ReportChart.Series, _ i: Int) -> Double? {
        i < series.values.count && series.values[i].isFinite ? series.values[i] : nil
    }

    static func wholeNumbers(_ chart: ReportChart) -> Bool {
        switch chart.format {
        case .integer: return true
        case .automatic, .text: return chart.series.allSatisfy { $0.values.allSatisfy { !$0.isFinite || $0 == $0.rounded() } }
        case .decimal, .percent: return false
        }
    }

    static func color(_ series: Int) -> String { palette[series % palette.count] }

    static func dash(_ series: Int) -> String {
        let pattern = dashes[series % dashes.count]
        return pattern.isEmpty ? "" : " stroke-dasharray=\"\(pattern)\""
    }

    /// How wide text draws at the chart's font size, from its terminal columns: a Chinese
    /// character (two columns) as 1.1 em, a Latin letter or digit as 0.55 em; a little over
    /// Noto Sans CJK's real widths, so that what is measured to fit does.
    static func textWidth(_ s: String) -> Double { Double(s.displayWidth) * fontSize * 0.55 }

    static func fit(_ s: String, _ maxWidth: Double) -> String {
        s.truncated(to: max(2, Int(maxWidth / (fontSize * 0.55))))
    }

    /// A coordinate to a tenth, without "-0" or a trailing ".0", so the bytes are stable.
    static func n(_ d: Double) -> String {
        let r = (d * 10).rounded() / 10 + 0.0
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}

/// A value axis: from a round number to a round number, ticks a round step apart, zero included.
struct ValueAxis: Equatable {
    var low: Double
    var high: Double
    var step: Double

    /// About five ticks between `low` and `high` (widened to include zero; 0 to 1 when both are
    /// zero); `wholeNumbers` keeps the step at 1 or more, so counts never get ticks like 0.5.
    init(low: Double, high: Double, wholeNumbers: Bool) {
        var lo = min(0, low), hi = max(0, high)
        if lo == hi { hi = 1 }
        let raw = (hi - lo) / 5
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let f = raw / magnitude
        var step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude
        if wholeNumbers { step = max(step, 1) }
        lo = (lo / step).rounded(.down) * step
        hi = (hi / step).rounded(.up) * step
        (self.low, self.high, self.step) = (lo, hi, step)
    }

    var ticks: [Double] {
        (0...Int(((high - low) / step).rounded())).map { low + Double($0) * step }
    }

    /// Where `v` falls between the ends `a` (low) and `b` (high).
    func position(_ v: Double, from a: Double, to b: Double) -> Double {
        a + (v - low) / (high - low) * (b - a)
    }

    /// A tick's label in the chart's format, with as many decimals as the step needs.
    func label(_ v: Double, _ format: ValueFormat) -> String {
        let needed = { (x: Double) -> Int in (0...6).first { abs(x * pow(10, Double($0)) - (x * pow(10, Double($0))).rounded()) < 1e-6 } ?? 6 }
        let tickFormat: ValueFormat
        switch format {
        case .percent(let places): tickFormat = .percent(places: max(places, needed(step * 100)))
        case .decimal(let places): tickFormat = .decimal(places: max(places, needed(step)))
        case .integer: tickFormat = .integer
        case .automatic, .text: tickFormat = needed(step) == 0 ? .integer : .decimal(places: needed(step))
        }
        return ValueText.text(.real(v), tickFormat)
    }
}
