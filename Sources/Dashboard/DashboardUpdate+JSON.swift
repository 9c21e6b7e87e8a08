extension DashboardUpdate {
    /// The update as the page reads it: one line of JSON, keys as the fields are named.
    ///
    /// Written by hand rather than with `JSONEncoder`: an update can carry thousands of bars, four times a
    /// second, on a machine whose cores the run needs.
    public var json: String {
        var out = JSONWriter()
        out.object { out in
            out.field("now", self.now)
            out.field("ended", self.ended)
            out.key("totals")
            out.object { out in
                out.field("submitted", self.totals.submitted)
                out.field("finished", self.totals.finished)
                out.field("failed", self.totals.failed)
                out.field("cancelled", self.totals.cancelled)
                out.field("queued", self.totals.queued)
                out.field("running", self.totals.running)
                out.field("retried", self.totals.retried)
                out.field("workersLost", self.totals.workersLost)
            }
            out.key("kinds")
            out.array(self.kinds) { out, kind in
                out.object { out in
                    out.field("kind", kind.kind)
                    out.field("submitted", kind.submitted)
                    out.field("finished", kind.finished)
                    out.field("failed", kind.failed)
                    out.field("cancelled", kind.cancelled)
                    out.field("rate", kind.rate)
                    out.field("secondsLeft", kind.secondsLeft)
                }
            }
            out.key("workers")
            out.array(self.workers) { out, worker in
                out.object { out in
                    out.field("address", worker.address)
                    out.field("hostName", worker.hostName)
                    out.field("pool", worker.pool)
                    out.field("slots", worker.slots)
                    out.field("busy", worker.busy)
                    out.field("held", worker.held)
                    out.field("finished", worker.finished)
                    out.field("failed", worker.failed)
                    out.field("roundTripMilliseconds", worker.roundTripMilliseconds)
                    out.field("clockOffsetMilliseconds", worker.clockOffsetMilliseconds)
                    out.field("state", worker.state)
                }
            }
            out.key("bars")
            out.array(self.bars) { out, bar in
                out.object { out in
                    out.field("sequence", bar.sequence)
                    out.field("worker", bar.worker)
                    out.field("slot", bar.slot)
                    out.field("kind", bar.kind)
                    out.field("job", bar.job)
                    out.field("input", bar.input)
                    out.field("start", bar.start)
                    out.field("end", bar.end)
                    out.field("state", bar.state)
                    out.field("retried", bar.retried)
                }
            }
            out.field("barsSkipped", self.barsSkipped)
            out.key("failures")
            out.array(self.failures) { out, failure in
                out.object { out in
                    out.field("at", failure.at)
                    out.field("what", failure.what)
                    out.field("worker", failure.worker)
                    out.field("reason", failure.reason)
                }
            }
        }
        return out.text
    }
}

/// Builds one line of JSON.
struct JSONWriter {
    private(set) var text = ""
    /// Whether the container being written needs a comma before its next member.
    private var needsComma = false

    mutating func object(_ members: (inout JSONWriter) -> Void) {
        self.separate()
        self.text += "{"
        self.needsComma = false
        members(&self)
        self.text += "}"
        self.needsComma = true
    }

    mutating func array<Element>(_ elements: [Element], _ write: (inout JSONWriter, Element) -> Void) {
        self.text += "["
        self.needsComma = false
        for element in elements { write(&self, element) }
        self.text += "]"
        self.needsComma = true
    }

    mutating func key(_ name: String) {
        self.separate()
        self.string(name)
        self.text += ":"
        self.needsComma = false
    }

    mutating func field(_ name: String, _ value: String?) {
        self.key(name)
        if let value { self.string(value) } else { self.text += "null" }
        self.needsComma = true
    }

    mutating func field(_ name: String, _ value: Double?) {
        self.key(name)
        // JSON has no infinity or NaN.
        if let value, value.isFinite { self.text += value.description } else { self.text += "null" }
        self.needsComma = true
    }

    mutating func field<Integer: BinaryInteger>(_ name: String, _ value: Integer?) {
        self.key(name)
        self.text += value.map { "\($0)" } ?? "null"
        self.needsComma = true
    }

    mutating func field(_ name: String, _ value: Bool) {
        self.key(name)
        self.text += value ? "true" : "false"
        self.needsComma = true
    }

    private mutating func separate() {
        if self.needsComma { self.text += "," }
    }

    /// `value` quoted, with `"`, `\` and control characters escaped.
    private mutating func string(_ value: String) {
        self.text += "\""
        var plain = true
        for scalar in value.unicodeScalars where scalar == "\"" || scalar == "\\" || scalar.value < 0x20 {
            plain = false
            break
        }
        if plain {
            self.text += value
        } else {
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": self.text += "\\\""
                case "\\": self.text += "\\\\"
                case "\n": self.text += "\\n"
                case "\r": self.text += "\\r"
                case "\t": self.text += "\\t"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    self.text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: self.text.unicodeScalars.append(scalar)
                }
            }
        }
        self.text += "\""
    }
}
