import FanoutFuzzing

/// libFuzzer's entry point: any input that breaks a ``FrameProperties`` property stops the fuzzer with the
/// input saved as a crash file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrames(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: count > 0 ? start : nil, count: count)
    if let violation = FrameProperties.violation(in: bytes) {
        fatalError(violation)
    }
    return 0
}
