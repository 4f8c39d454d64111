// Command notplugin is a Go program that is no sluice plugin, for the tests
// of package external's Load.
package main

import "fmt"

func main() { fmt.Println("hello, I am not a plugin") }
