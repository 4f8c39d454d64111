// Package archtest holds the tests that keep the repository's ARCHITECTURE.md
// true: the layering of the packages (which may import which), the
// data-integrity rules that code comments cite by number and the tests that
// prove each, and the files and packages the document names. It has no code
// of its own.
package archtest
