package abandonedsend

import (
	"fmt"
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
)

// check reports the first unguarded send on ch when the function can stop
// receiving while more senders may send than ch has slots.
func (c *checker) check(ch channel) {
	u, ok := c.collect(ch)
	if !ok || len(u.receives) == 0 {
		return
	}
	var first *ast.SendStmt
	finite, n := true, int64(0)
	for _, s := range u.senders {
		if len(s.sends) == 0 {
			continue // every send of this goroutine can give up
		}
		if first == nil || s.sends[0].Pos() < first.Pos() {
			first = s.sends[0]
		}
		finite = finite && !s.many && len(s.loops) == 0
		n++
	}
	if first == nil {
		return
	}
	if finite && ch.cap >= n || !finite && ch.cap > 0 {
		return // a slot for every sender, or sized for a loop the check cannot count
	}
	a, ok := c.abandoned(ch, u, !finite || n > 1)
	if !ok {
		return
	}
	name := ch.obj.Name()
	size := c.slots(ch, u, finite, n)
	advice := fmt.Sprintf("give %s one slot per sender or have the sender select on ctx.Done()", name)
	var fixes []analysis.SuggestedFix
	if size != "" {
		advice = fmt.Sprintf("give %s one slot per sender: make(%s, %s)", name, types.ExprString(ch.make.Args[0]), size)
		fixes = c.sizeFix(ch, size)
	}
	c.rep.Report(analysis.Diagnostic{
		Pos:            first.Pos(),
		End:            first.End(),
		Message:        fmt.Sprintf("send on %s blocks forever once %s: the goroutine leaks with all it holds; %s", name, a.how, advice),
		SuggestedFixes: fixes,
	})
}

func (c *checker) cursor(n ast.Node) (inspector.Cursor, bool) {
	return c.insp.Root().FindNode(n)
}
