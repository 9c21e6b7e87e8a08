import Foundation
import FoundationXML

/// The elements of an SVG file, parsed as XML: parsing fails on anything that is not well-formed.
struct SVGElements {
    let all: [XMLElement]

    init(_ text: String) throws {
        let document = try XMLDocument(data: Data(text.utf8))
        var found: [XMLElement] = []
        func walk(_ element: XMLElement) {
            found.append(element)
            for case let child as XMLElement in element.children ?? [] { walk(child) }
        }
        if let root = document.rootElement() { walk(root) }
        self.all = found
    }

    /// Elements called `name` whose class list holds every one of `classes`.
    func named(_ name: String, classes: Set<String> = []) -> [XMLElement] {
        self.all.filter { element in
            element.localName == name && classes.isSubset(of: Set(Self.classes(of: element)))
        }
    }

    /// `element`'s attribute `name`. (`XMLElement.attribute(forName:)` finds nothing in a document with a default
    /// namespace on Linux.)
    static func attribute(_ element: XMLElement, _ name: String) -> String? {
        element.attributes?.first { $0.name == name }?.stringValue
    }

    static func classes(of element: XMLElement) -> [String] {
        (Self.attribute(element, "class") ?? "").split(separator: " ").map(String.init)
    }

    static func number(_ element: XMLElement, _ attribute: String) -> Double? {
        Self.attribute(element, attribute).flatMap(Double.init)
    }

    static func title(of element: XMLElement) -> String? {
        (element.children ?? []).first { $0.name == "title" }?.stringValue
    }
}
