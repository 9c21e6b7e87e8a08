import Foundation
import Logging

/// Silent unless `FANOUT_TEST_LOG` names a level (`debug`, `info`, …): then logs at it to standard error.
public let testLogger: Logger = {
    guard let level = ProcessInfo.processInfo.environment["FANOUT_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) else {
        return Logger(label: "fanout.test", factory: { _ in SwiftLogNoOpLogHandler() })
    }
    var logger = Logger(label: "fanout.test", factory: { StreamLogHandler.standardError(label: $0) })
    logger.logLevel = level
    return logger
}()
