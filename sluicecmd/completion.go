package sluicecmd

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

const completionUsage = `Usage:
  sluice completion bash|zsh|fish

Prints a script that completes sluice's commands, actions, flags and, from
the worker $SLUICE_URL names (else localhost:8083), connector names. Load it
with, for instance:
  bash:  source <(sluice completion bash)          (in ~/.bashrc)
  zsh:   source <(sluice completion zsh)           (in ~/.zshrc)
  fish:  sluice completion fish | source           (in ~/.config/fish/config.fish)
`

// completionWords are the words completion offers: the commands, and for
// each command the words after it, taken from the command tables so they
// cannot drift from what sluice accepts.
type completionWords struct {
	commands []string
	// next holds the words after a command (its actions), and after
	// "connectors config".
	next map[string][]string
	// named are the actions that take a connector NAME ("offsets get").
	named []string
	// flags are the client commands' flags.
	flags []string
}

func newCompletionWords() completionWords {
	w := completionWords{next: map[string][]string{}}
	w.commands = append(w.commands, slices.Sorted(maps.Keys(workerUsages))...)
	w.commands = append(w.commands, "completion", "help")
	named := map[string]bool{}
	for _, cmd := range slices.Sorted(maps.Keys(cliCommands)) {
		w.commands = append(w.commands, cmd)
		acts := map[string]bool{}
		for verb, a := range cliCommands[cmd].actions {
			if verb == "" || strings.HasPrefix(verb, "__") {
				continue
			}
			first, second, two := strings.Cut(verb, " ")
			acts[first] = true
			if two {
				w.next[cmd+" "+first] = append(w.next[cmd+" "+first], second)
			}
			if a.name && !two {
				named[cmd+" "+first] = true
			}
		}
		w.next[cmd] = slices.Sorted(maps.Keys(acts))
	}
	w.next["plugins"] = []string{"docs"}
	w.next["completion"] = []string{"bash", "fish", "zsh"}
	slices.Sort(w.commands)
	w.next["help"] = w.commands
	for k := range w.next {
		slices.Sort(w.next[k])
	}
	w.named = slices.Sorted(maps.Keys(named))
	w.flags = []string{"--url", "--user", "--cacert", "--cert", "--key", "--insecure", "--credentials-to-workers", "--timeout", "-o", "--output", "-f", "--all", "--include-tasks", "--only-failed", "--task"}
	return w
}

// runCompletion prints the completion script for a shell.
func runCompletion(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprint(stdout, completionUsage)
		return 0
	}
	if len(args) != 1 {
		fmt.Fprint(stderr, "sluice completion: want one shell: bash, zsh or fish\n\n"+completionUsage)
		return 2
	}
	w := newCompletionWords()
	switch args[0] {
	case "bash":
		fmt.Fprint(stdout, w.bash())
	case "zsh":
		fmt.Fprint(stdout, "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n"+w.bash())
	case "fish":
		fmt.Fprint(stdout, w.fish())
	default:
		fmt.Fprintf(stderr, "sluice completion: unknown shell %q: want bash, zsh or fish\n\n%s", args[0], completionUsage)
		return 2
	}
	return 0
}

// bash is the bash script (zsh runs it through bashcompinit). A word after
// -f falls back to file names (complete -o default). Connector names come
// from the worker, so they never go through compgen -W, which expands its
// words ($(…) would run): _sluice_names reads them as lines, keeps those
// starting with the word typed, and offers them quoted (printf %q).
func (w completionWords) bash() string {
	var b strings.Builder
	b.WriteString("# sluice completion for bash (and zsh through bashcompinit)\n")
	b.WriteString("_sluice_names() {\n  local n\n")
	b.WriteString("  while IFS= read -r n; do\n    [[ $n == \"$cur\"* ]] && COMPREPLY+=(\"$(printf '%q' \"$n\")\")\n")
	b.WriteString("  done < <(sluice connectors __names 2>/dev/null)\n}\n")
	b.WriteString("_sluice() {\n")
	b.WriteString("  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} words=\n")
	b.WriteString("  COMPREPLY=()\n")
	b.WriteString("  [ \"$prev\" = -f ] && return\n")
	b.WriteString("  if [[ $cur == -* ]]; then words=\"" + strings.Join(w.flags, " ") + "\"\n")
	b.WriteString("  elif [ $COMP_CWORD -eq 1 ]; then words=\"" + strings.Join(w.commands, " ") + "\"\n")
	b.WriteString("  elif [ $COMP_CWORD -eq 2 ]; then\n    case ${COMP_WORDS[1]} in\n")
	for _, k := range slices.Sorted(maps.Keys(w.next)) {
		if !strings.Contains(k, " ") {
			fmt.Fprintf(&b, "    %s) words=\"%s\" ;;\n", k, strings.Join(w.next[k], " "))
		}
	}
	b.WriteString("    esac\n")
	b.WriteString("  elif [ $COMP_CWORD -eq 3 ] && [ \"${COMP_WORDS[1]} ${COMP_WORDS[2]}\" = \"connectors config\" ]; then words=\"" + strings.Join(w.next["connectors config"], " ") + "\"\n")
	b.WriteString("  else\n    case \"${COMP_WORDS[1]} ${COMP_WORDS[2]}\" in\n")
	fmt.Fprintf(&b, "    connectors\\ config) [ $COMP_CWORD -eq 4 ] && _sluice_names; return ;;\n")
	fmt.Fprintf(&b, "    %s) [ $COMP_CWORD -eq 3 ] && _sluice_names; return ;;\n", strings.ReplaceAll(strings.Join(w.named, "|"), " ", "\\ "))
	b.WriteString("    esac\n  fi\n")
	b.WriteString("  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n}\ncomplete -o default -F _sluice sluice\n")
	return b.String()
}

// fish is the fish script.
func (w completionWords) fish() string {
	var b strings.Builder
	b.WriteString("# sluice completion for fish\ncomplete -c sluice -f\n")
	fmt.Fprintf(&b, "complete -c sluice -n __fish_use_subcommand -a '%s'\n", strings.Join(w.commands, " "))
	for _, k := range slices.Sorted(maps.Keys(w.next)) {
		if strings.Contains(k, " ") || k == "help" || len(w.next[k]) == 0 {
			continue
		}
		fmt.Fprintf(&b, "complete -c sluice -n '__fish_seen_subcommand_from %s; and test (count (commandline -opc)) -eq 2' -a '%s'\n", k, strings.Join(w.next[k], " "))
	}
	fmt.Fprintf(&b, "complete -c sluice -n '__fish_seen_subcommand_from help; and test (count (commandline -opc)) -eq 2' -a '%s'\n", strings.Join(w.next["help"], " "))
	fmt.Fprintf(&b, "complete -c sluice -n '__fish_seen_subcommand_from config; and test (count (commandline -opc)) -eq 3' -a '%s'\n", strings.Join(w.next["connectors config"], " "))
	for _, n := range w.named {
		cmd, verb, _ := strings.Cut(n, " ")
		fmt.Fprintf(&b, "complete -c sluice -n '__fish_seen_subcommand_from %s; and __fish_seen_subcommand_from %s; and test (count (commandline -opc)) -eq 3' -a '(sluice connectors __names 2>/dev/null)'\n", cmd, verb)
	}
	// "connectors config set|patch NAME": the name is the fourth word.
	b.WriteString("complete -c sluice -n '__fish_seen_subcommand_from connectors; and __fish_seen_subcommand_from config; and test (count (commandline -opc)) -eq 4' -a '(sluice connectors __names 2>/dev/null)'\n")
	b.WriteString("complete -c sluice -s f -r -F -d 'file to read'\n")
	b.WriteString("complete -c sluice -s o -x -a 'table json yaml' -d 'output format'\n")
	for _, f := range w.flags {
		if l, ok := strings.CutPrefix(f, "--"); ok {
			fmt.Fprintf(&b, "complete -c sluice -l %s\n", l)
		}
	}
	return b.String()
}

// names prints the connectors' names, one a line: what completion offers
// for NAME. Not in the usage: it is for the completion scripts.
func (r *cliRun) names(ctx context.Context) error {
	names, err := r.c.Connectors(ctx)
	if err != nil {
		return err
	}
	slices.Sort(names)
	for _, n := range names {
		if _, err := fmt.Fprintln(r.stdout, cell(n)); err != nil {
			return err
		}
	}
	return nil
}
