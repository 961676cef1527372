/// A small deterministic random number generator (SplitMix64), so a property test that
/// fails fails the same way again with the seed it prints.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Random bytes, biased towards the ones escaping must get right.
    public mutating func bytes(maximumCount: Int) -> [UInt8] {
        let interesting: [UInt8] = [0x00, 0x0A, 0x0D, 0x20, 0x22, 0x25, 0x27, 0x3D, 0x5C, 0x7F, 0x80, 0xFF, 0x09, 0x3B, 0x24]
        let count = Int.random(in: 0...maximumCount, using: &self)
        return (0..<count).map { _ in
            Bool.random(using: &self) ? interesting.randomElement(using: &self)! : UInt8.random(in: 0...255, using: &self)
        }
    }
}
