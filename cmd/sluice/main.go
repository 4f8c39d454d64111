// Command sluice is a Kafka Connect-compatible connector runtime: the
// sluicecmd package with sluice's built-in plugins.
//
//	sluice standalone worker.properties [connector.properties|connector.json ...]
//	sluice distributed worker.properties
//	sluice dev [-dir .sluice-dev] [-listen 127.0.0.1:8083]
//	sluice connectors list|get|status|create|delete|pause|resume|stop|restart ...
//	sluice offsets get|set|reset NAME ...
//	sluice plugins [--all]
//	sluice version
package main

import "github.com/sluicehq/sluice/sluicecmd"

func main() { sluicecmd.Run() }
