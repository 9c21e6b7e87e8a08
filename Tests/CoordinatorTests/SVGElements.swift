import Foundation
import FoundationXML

/// One element of an SVG file.
struct SVGElement {
    var name: String
    var attributes: [String: String]
    /// All the text inside the element, its children's included.
    var text = ""
    /// The text of its `title` child, the tooltip a browser shows.
    var title: String?
}

/// The elements of an SVG file in document order, parsed as XML: parsing fails on anything that is not
/// well-formed.
///
/// Built on `XMLParser` rather than `XMLDocument`: on Linux every `XMLDocument` is kept alive by a reference
/// cycle inside FoundationXML, which the leak checker of `scripts/sanitizers.sh` rightly reports.
struct SVGElements {
    let all: [SVGElement]

    init(_ text: String) throws {
        let collector = Collector()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = collector
        guard parser.parse() else {
            throw parser.parserError ?? CocoaError(.fileReadCorruptFile)
        }
        self.all = collector.elements
    }

    /// Elements called `name` whose class list holds every one of `classes`.
    func named(_ name: String, classes: Set<String> = []) -> [SVGElement] {
        self.all.filter { element in
            element.name == name && classes.isSubset(of: Set(Self.classes(of: element)))
        }
    }

    static func attribute(_ element: SVGElement, _ name: String) -> String? {
        element.attributes[name]
    }

    static func classes(of element: SVGElement) -> [String] {
        (element.attributes["class"] ?? "").split(separator: " ").map(String.init)
    }

    static func number(_ element: SVGElement, _ attribute: String) -> Double? {
        element.attributes[attribute].flatMap(Double.init)
    }

    static func title(of element: SVGElement) -> String? {
        element.title
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [SVGElement] = []
        /// Indexes in `elements` of the elements open at the parser's position, innermost last.
        var open: [Int] = []

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName: String?, attributes: [String: String]
        ) {
            self.open.append(self.elements.count)
            self.elements.append(SVGElement(name: elementName, attributes: attributes))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            for index in self.open { self.elements[index].text += string }
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
        ) {
            let closed = self.open.removeLast()
            if elementName == "title", let parent = self.open.last, self.elements[parent].title == nil {
                self.elements[parent].title = self.elements[closed].text
            }
        }
    }
}
