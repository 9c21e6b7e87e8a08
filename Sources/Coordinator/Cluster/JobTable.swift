import FanoutProtocol
import NIOCore

/// The scheduler's entries by job ID.
///
/// A cluster numbers its jobs upward from 1, so most entries live in a window of slots from the oldest ID it
/// holds to the newest: no hashing, and 32 bytes a job where a dictionary took up to three times that. A job
/// that stays while many after it finish would keep the window open behind it; once the window is mostly
/// empty, its oldest entries move to a dictionary of stragglers and the window closes up. Entries are expected
/// in increasing ID order; one below the window goes to the stragglers.
struct JobTable<Entry> {
    /// The ID of the window's first slot.
    private var firstID: UInt64 = 0
    private var window = CircularBuffer<Entry?>()
    private var windowCount = 0
    private var stragglers: [JobID: Entry] = [:]

    /// The window is closed up once it is longer than this and less than half full.
    private static var sparseWindowLength: Int { 1024 }

    var count: Int { self.windowCount + self.stragglers.count }
    /// Slots the window spans, held or empty: what the table costs beyond its stragglers.
    var windowLength: Int { self.window.count }

    subscript(id: JobID) -> Entry? {
        get {
            if let offset = self.offset(of: id) { return self.window[offset: offset] }
            return self.stragglers[id]
        }
        set {
            if let offset = self.offset(of: id) {
                let had = self.window[offset: offset] != nil
                self.window[offset: offset] = newValue
                self.windowCount += (newValue != nil ? 1 : 0) - (had ? 1 : 0)
                self.closeUp()
            } else if self.stragglers[id] != nil || newValue == nil {
                self.stragglers[id] = newValue
            } else if let newValue {
                self.insert(newValue, at: id)
            }
        }
    }

    @discardableResult
    mutating func removeValue(forKey id: JobID) -> Entry? {
        let entry = self[id]
        if entry != nil { self[id] = nil }
        return entry
    }

    /// Every entry, in no particular order.
    var values: [Entry] { Array(self.stragglers.values) + self.window.compactMap { $0 } }

    private func offset(of id: JobID) -> Int? {
        guard id.rawValue >= self.firstID, id.rawValue - self.firstID < UInt64(self.window.count) else { return nil }
        return Int(id.rawValue - self.firstID)
    }

    private mutating func insert(_ entry: Entry, at id: JobID) {
        // The window only moves forward: an ID below it is a straggler, as one may already hold it.
        guard id.rawValue >= self.firstID else {
            self.stragglers[id] = entry
            return
        }
        if self.window.isEmpty { self.firstID = id.rawValue }
        for _ in 0..<(id.rawValue - self.firstID - UInt64(self.window.count)) { self.window.append(nil) }
        self.window.append(entry)
        self.windowCount += 1
    }

    /// Drops empty slots from both ends, and moves the oldest entries out while the window is long and sparse.
    private mutating func closeUp() {
        while true {
            while let first = self.window.first, first == nil {
                self.window.removeFirst()
                self.firstID += 1
            }
            while let last = self.window.last, last == nil {
                self.window.removeLast()
            }
            guard self.window.count > Self.sparseWindowLength, self.windowCount * 2 < self.window.count,
                let oldest = self.window.popFirst() ?? nil
            else { break }
            self.stragglers[JobID(self.firstID)] = oldest
            self.firstID += 1
            self.windowCount -= 1
        }
    }
}
