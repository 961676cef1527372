// libFuzzer target: the inventory parser (InventoryLoader over Yams) and node sets.
// Built by fuzz/run.sh from controller/Inventory/*.swift plus this file, against Yams
// and PMProtocol.
//
// Properties checked for every input:
// - parsing never traps: it returns an inventory or an InventoryError;
// - an error names the file, and a line within the text (or 0 for whole-file problems);
// - a node set that expands folds back into patterns that expand to the same names.

/// Stops the run with a message: libFuzzer records the input as a crash.
func violated(_ what: String, _ input: [UInt8]) -> Never {
    fatalError("property violated: \(what); input \(String(decoding: input.prefix(300), as: UTF8.self))")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func inventoryFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: input, as: UTF8.self)
    do {
        _ = try InventoryLoader(file: "fuzz.yaml").parse(text)
    } catch {
        // YAML breaks lines at LF, CR, NEL, LS and PS (a CR alone too, as old Mac files do).
        let breaks = text.unicodeScalars.filter { "\n\r\u{85}\u{2028}\u{2029}".unicodeScalars.contains($0) }.count
        guard error.file == "fuzz.yaml", error.line >= 0, error.line <= breaks + 2 else {
            violated("the error does not place itself in the file: \(error)", input)
        }
    }
    // The first line, read as a node-set pattern.
    let pattern = String(text.prefix(while: { $0 != "\n" }).prefix(200))
    if let names = try? NodeSet.expand(pattern), names.count <= 2_000 {
        let folded = NodeSet.fold(names)
        var again: [String] = []
        for part in folded {
            guard let expanded = try? NodeSet.expand(part) else { violated("fold gave '\(part)', which does not expand", input) }
            again += expanded
        }
        guard Set(again) == Set(names) else { violated("fold \(folded) does not expand back to the same names", input) }
    }
    return 0
}
