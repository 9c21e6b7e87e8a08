import Foundation

/// A standalone SVG image built element by element, for the charts a run writes; opens in any browser.
struct SVGDocument {
    let width: Double
    let height: Double
    private var body: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// Adds an element: `name` with `attributes` (written in the order given), and optionally a tooltip.
    mutating func add(_ name: String, _ attributes: KeyValuePairs<String, String>, title: String? = nil, text: String? = nil) {
        let written = attributes.map { " \($0.key)=\"\(Self.escape($0.value))\"" }.joined()
        var inner = ""
        if let title { inner += "<title>\(Self.escape(title))</title>" }
        if let text { inner += Self.escape(text) }
        self.body.append(inner.isEmpty ? "<\(name)\(written)/>" : "<\(name)\(written)>\(inner)</\(name)>")
    }

    mutating func text(_ text: String, x: Double, y: Double, anchor: String = "start", className: String = "label", rotate: Bool = false) {
        if rotate {
            self.add(
                "text",
                ["x": Self.number(x), "y": Self.number(y), "text-anchor": anchor, "class": className, "transform": "rotate(-90 \(Self.number(x)) \(Self.number(y)))"],
                text: text
            )
        } else {
            self.add("text", ["x": Self.number(x), "y": Self.number(y), "text-anchor": anchor, "class": className], text: text)
        }
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, className: String) {
        self.add("line", ["x1": Self.number(x1), "y1": Self.number(y1), "x2": Self.number(x2), "y2": Self.number(y2), "class": className])
    }

    /// The document, with `style` as its stylesheet.
    func rendered(title: String, style: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.number(self.width))" height="\(Self.number(self.height))" \
        viewBox="0 0 \(Self.number(self.width)) \(Self.number(self.height))" font-family="sans-serif" font-size="12">
        <title>\(Self.escape(title))</title>
        <style>\(style)</style>
        <rect x="0" y="0" width="100%" height="100%" fill="white"/>
        \(self.body.joined(separator: "\n"))
        </svg>

        """
    }

    /// `text` as XML character data: markup characters escaped, and characters XML cannot hold at all (control
    /// characters but tab and line breaks, U+FFFE, U+FFFF) replaced with U+FFFD, since text such as a worker's
    /// error message may contain anything.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: escaped += "\u{FFFD}"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    static func number(_ value: Double) -> String {
        String(format: "%.2f", value)
    }

    /// About `count` round tick values covering 0 through `maximum`: steps of 1, 2 or 5 times a power of ten.
    static func ticks(upTo maximum: Double, count: Int = 6) -> [Double] {
        guard maximum > 0, maximum.isFinite else { return [0] }
        let rough = maximum / Double(max(1, count))
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        return stride(from: 0, through: maximum + step * 1e-9, by: step).map { $0 }
    }

    static func tickLabel(_ value: Double) -> String {
        value == value.rounded() ? String(format: "%.0f", value) : String(format: "%g", value)
    }
}
