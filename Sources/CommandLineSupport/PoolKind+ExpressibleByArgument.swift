import ArgumentParser
import FanoutProtocol

extension PoolKind: ExpressibleByArgument {
    public init?(argument: String) {
        guard let kind = Self.allCases.first(where: { $0.description == argument }) else { return nil }
        self = kind
    }

    public static var allValueStrings: [String] { Self.allCases.map(\.description) }
}
