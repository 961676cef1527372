import PMController
import Testing

@Suite struct NodeSetTests {
    @Test func expandsARangeKeepingItsPadding() throws {
        let names = try NodeSet.expand("node[01-64]")
        #expect(names.count == 64)
        #expect(names.first == "node01")
        #expect(names[8] == "node09")
        #expect(names.last == "node64")
    }

    @Test func expandsListsAndRangesInOneBracket() throws {
        #expect(try NodeSet.expand("web[1-3,7]") == ["web1", "web2", "web3", "web7"])
    }

    @Test func expandsSeveralBracketsFirstOneSlowest() throws {
        #expect(try NodeSet.expand("r[1-2]n[01-02]") == ["r1n01", "r1n02", "r2n01", "r2n02"])
    }

    @Test func expandsTopLevelCommasAndPlainNames() throws {
        #expect(try NodeSet.expand("lab01,web[1-2].example.org") == ["lab01", "web1.example.org", "web2.example.org"])
        #expect(try NodeSet.expand("lab01") == ["lab01"])
    }

    @Test func refusesReversedRangesNamingThem() {
        #expect(throws: NodeSetError(pattern: "node[5-2]", "range '5-2' is reversed; write 2-5")) {
            try NodeSet.expand("node[5-2]")
        }
    }

    @Test func refusesSetsLargerThanTheCap() {
        let error = #expect(throws: NodeSetError.self) { try NodeSet.expand("n[1-100001]") }
        #expect(error?.reason.contains("more than 100000") == true)
        let product = #expect(throws: NodeSetError.self) { try NodeSet.expand("a[1-1000]b[1-1000]") }
        #expect(product?.reason.contains("more than 100000") == true)
    }

    @Test(arguments: ["node[01-03", "node01-03]", "node[[1-2]]", "node[]", "node[a-b]", "node[1-]", "a,,b", "a,"])
    func refusesMalformedPatterns(_ pattern: String) {
        #expect(throws: NodeSetError.self) { try NodeSet.expand(pattern) }
    }

    @Test func foldsNamesIntoRangesKeepingPadding() {
        #expect(NodeSet.fold(["node01", "node02", "node03", "node07"]) == ["node[01-03,07]"])
        #expect(NodeSet.fold(["web3", "web1", "web2", "web10"]) == ["web[1-3,10]"])
        #expect(NodeSet.fold(["node09", "node10", "node11"]) == ["node[09-11]"])
    }

    @Test func foldsMixedNamesKeepingFirstSeenOrder() {
        #expect(NodeSet.fold(["lab02", "gateway", "lab01", "db1.example", "db2.example"])
                == ["lab[01-02]", "gateway", "db[1-2].example"])
        #expect(NodeSet.fold(["single7"]) == ["single7"])
        #expect(NodeSet.summary(["a1", "a1", "b"]) == "a1,b")
    }

    @Test func foldThenExpandGivesTheSameNames() throws {
        let names = try NodeSet.expand("node[001-040,077,100-120]") + ["gw", "web5"]
        let back = try NodeSet.fold(names).flatMap { try NodeSet.expand($0) }
        #expect(Set(back) == Set(names))
        #expect(back.count == names.count)
    }
}
