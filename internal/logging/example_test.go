package logging_test

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/sluicehq/sluice/internal/logging"
)

func Example() {
	levels := logging.NewLevels(slog.LevelInfo)
	text := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: logging.LevelAll, // the registry decides
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	})
	root := slog.New(logging.NewHandler(text, levels))
	worker := logging.Named(root, "sluice.runtime.worker")

	worker.Debug("not shown: the worker inherits INFO from root")
	// PUT /admin/loggers/sluice.runtime {"level":"DEBUG"}
	fmt.Println(levels.Set("sluice.runtime", slog.LevelDebug))
	worker.Debug("shown", "task", 0)

	// Output:
	// [sluice.runtime sluice.runtime.worker]
	// level=DEBUG msg=shown logger=sluice.runtime.worker task=0
}
