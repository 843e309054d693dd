package lockupgrade

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/astutil"
	"golang.org/x/tools/go/ssa"

	"github.com/resilvet/resilvet/analyzers/internal/fixedit"
)

// recheckFix offers, for the canonical map "lookup miss, then insert"
//
//	v, ok := m[k]
//	mu.RUnlock()
//	if ok {
//		return v, ...
//	}
//	mu.Lock()
//
// to look again right after Lock (and its deferred Unlock, if any):
//
//	if v, ok := m[k]; ok {
//		mu.Unlock()
//		return v, ...
//	}
//
// It offers nothing for any other shape.
func (c *checker) recheckFix(fn *ssa.Function, s source, w write) []analysis.SuggestedFix {
	if !isCommaOkLookup(s.v) {
		return nil
	}
	file := c.fileOf(w.lockPos)
	if file == nil {
		return nil
	}
	path, _ := astutil.PathEnclosingInterval(file, w.lockPos, w.lockPos)
	var lockStmt *ast.ExprStmt
	var block *ast.BlockStmt
	for i, n := range path {
		if es, ok := n.(*ast.ExprStmt); ok && i+1 < len(path) {
			lockStmt = es
			block, _ = path[i+1].(*ast.BlockStmt)
			break
		}
	}
	if lockStmt == nil || block == nil {
		return nil
	}
	lockCall, ok := lockStmt.X.(*ast.CallExpr)
	if !ok {
		return nil
	}
	sel, ok := lockCall.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Lock" {
		return nil
	}
	mu := types.ExprString(sel.X)
	at := -1
	for i, st := range block.List {
		if st == lockStmt {
			at = i
		}
	}
	if at < 0 {
		return nil
	}
	readLine := c.pass.Fset.Position(s.readPos).Line

	// Find, before Lock in the same block, "if ok { return ... }" and the
	// comma-ok lookup it tests (in its init or an earlier statement).
	var ret *ast.ReturnStmt
	var lhs []ast.Expr
	var index *ast.IndexExpr
	var okName string
	for i := at - 1; i >= 0 && ret == nil; i-- {
		ifs, isIf := block.List[i].(*ast.IfStmt)
		if !isIf || ifs.Else != nil || len(ifs.Body.List) != 1 {
			continue
		}
		id, isID := ifs.Cond.(*ast.Ident)
		r, isRet := ifs.Body.List[0].(*ast.ReturnStmt)
		if !isID || !isRet {
			continue
		}
		if as, found := commaOk(ifs.Init, id.Name); found {
			lhs, index = as.Lhs, as.Rhs[0].(*ast.IndexExpr)
		} else {
			for j := i - 1; j >= 0; j-- {
				if as, found := commaOk(block.List[j], id.Name); found {
					lhs, index = as.Lhs, as.Rhs[0].(*ast.IndexExpr)
					break
				}
			}
		}
		if index != nil {
			ret, okName = r, id.Name
		}
	}
	if ret == nil || c.pass.Fset.Position(index.Pos()).Line != readLine || !pure(index.Index) {
		return nil
	}
	// Insert after "defer mu.Unlock()" when it follows Lock: the deferred
	// call then releases the lock on the early return.
	after := ast.Stmt(lockStmt)
	unlock := mu + ".Unlock()\n"
	if at+1 < len(block.List) {
		if d, ok := block.List[at+1].(*ast.DeferStmt); ok {
			if ds, ok := d.Call.Fun.(*ast.SelectorExpr); ok && ds.Sel.Name == "Unlock" && types.ExprString(ds.X) == mu {
				after, unlock = d, ""
			}
		}
	}
	var retText bytes.Buffer
	if err := format.Node(&retText, c.pass.Fset, ret); err != nil {
		return nil
	}
	indent := fixedit.Indent(c.pass, after.Pos())
	names := types.ExprString(lhs[0]) + ", " + types.ExprString(lhs[1])
	body := unlock + retText.String()
	body = strings.ReplaceAll(body, "\n", "\n"+indent+"\t")
	text := fmt.Sprintf("\n%sif %s := %s; %s {\n%s\t%s\n%s}", indent, names, types.ExprString(index), okName, indent, body, indent)
	return []analysis.SuggestedFix{{
		Message:   "re-check the map after Lock and return the existing value",
		TextEdits: []analysis.TextEdit{{Pos: c.lineEnd(after.End()), End: c.lineEnd(after.End()), NewText: []byte(text)}},
	}}
}

// isCommaOkLookup reports whether the loaded map v is looked up in the
// "v, ok := m[k]" form.
func isCommaOkLookup(v ssa.Value) bool {
	refs := v.Referrers()
	if refs == nil {
		return false
	}
	for _, r := range *refs {
		if l, ok := r.(*ssa.Lookup); ok && l.CommaOk && l.X == v {
			return true
		}
	}
	return false
}

// commaOk matches "v, ok := m[k]" (or "=") assigning okName.
func commaOk(st ast.Stmt, okName string) (*ast.AssignStmt, bool) {
	as, ok := st.(*ast.AssignStmt)
	if !ok || len(as.Lhs) != 2 || len(as.Rhs) != 1 {
		return nil, false
	}
	if id, ok := as.Lhs[1].(*ast.Ident); !ok || id.Name != okName {
		return nil, false
	}
	if _, ok := as.Lhs[0].(*ast.Ident); !ok {
		return nil, false
	}
	_, ok = as.Rhs[0].(*ast.IndexExpr)
	return as, ok
}

// pure reports whether e can be evaluated again with the same result.
func pure(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident, *ast.BasicLit:
		return true
	case *ast.SelectorExpr:
		return pure(e.X)
	}
	return false
}

func (c *checker) fileOf(pos token.Pos) *ast.File {
	for _, f := range c.pass.Files {
		if f.FileStart <= pos && pos <= f.FileEnd {
			return f
		}
	}
	return nil
}

// lineEnd moves pos past a trailing line comment, so that inserted lines
// do not take the comment along.
func (c *checker) lineEnd(pos token.Pos) token.Pos {
	tf := c.pass.Fset.File(pos)
	if tf == nil {
		return pos
	}
	src, err := c.pass.ReadFile(tf.Name())
	if err != nil {
		return pos
	}
	off := tf.Offset(pos)
	rest := src[off:]
	if i := bytes.IndexByte(rest, '\n'); i >= 0 {
		rest = rest[:i]
	}
	trimmed := bytes.TrimLeft(rest, " \t")
	if len(trimmed) == 0 || (bytes.HasPrefix(trimmed, []byte("//")) && !bytes.Contains(trimmed, []byte("*/"))) {
		return pos + token.Pos(len(rest))
	}
	return pos
}
