// Stands in for the lead's protocol tests, which are not on this branch, so the package
// resolves here (Package.swift names this folder). Drop this file at merge.
