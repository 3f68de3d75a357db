/*
 * Copyright 2026 The Ticketer authors, in Ticketer's fork of Gremlins v0.6.0
 * (see third_party/gremlins/FORK.md).
 *
 *    Licensed under the Apache License, Version 2.0 (the "License");
 *    you may not use this file except in compliance with the License.
 *    You may obtain a copy of the License at
 *
 *        http://www.apache.org/licenses/LICENSE-2.0
 *
 *    Unless required by applicable law or agreed to in writing, software
 *    distributed under the License is distributed on an "AS IS" BASIS,
 *    WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 *    See the License for the specific language governing permissions and
 *    limitations under the License.
 */

package coverage

import (
	"go/ast"
	"go/parser"
	"go/token"
)

// caseClauseBlocks returns one Block per case clause (from its `case`
// keyword to its colon) of each switch statement of src whose `switch`
// keyword lies in a covered block.
//
// Go's cover tool gives a case clause's expressions no block: a clause's
// counter starts after its colon, and the block holding `switch x {` ends
// at the body's `{`. Without these blocks every mutant in a case expression
// is NOT COVERED although the tests run it. When the switch ran, its case
// expressions are evaluated in order up to the first match, so a later
// clause's may not be: such a mutant is then run and lives, which shows.
// `default:` clauses hold no expression and get no block.
func caseClauseBlocks(filename string, src []byte, covered []Block) ([]Block, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	isCovered := func(p token.Pos) bool {
		pos := fset.Position(p)
		pos.Filename = filename

		return Profile{filename: covered}.IsCovered(pos)
	}
	var blocks []Block
	ast.Inspect(f, func(n ast.Node) bool {
		var switchPos token.Pos
		var body *ast.BlockStmt
		switch s := n.(type) {
		case *ast.SwitchStmt:
			switchPos, body = s.Switch, s.Body
		case *ast.TypeSwitchStmt:
			switchPos, body = s.Switch, s.Body
		default:
			return true
		}
		if body == nil || !isCovered(switchPos) {
			return true
		}
		for _, stmt := range body.List {
			cc, ok := stmt.(*ast.CaseClause)
			if !ok || cc.List == nil {
				continue
			}
			start, end := fset.Position(cc.Case), fset.Position(cc.Colon)
			blocks = append(blocks, Block{
				StartLine: start.Line,
				StartCol:  start.Column,
				EndLine:   end.Line,
				EndCol:    end.Column,
			})
		}

		return true
	})

	return blocks, nil
}
