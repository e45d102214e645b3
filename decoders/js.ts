/**
 * JavaScript and TypeScript source (React Native bundles shipped as plain JS, Cordova/Capacitor `www/*.js`, inline
 * scripts): every string literal, with what the code around it binds it to, by a bounded tokenizer-level scan (no
 * parser, no AST). Strings of all quote kinds with their escapes, template literals, comments and regex literals are
 * told apart; brackets are tracked to know whether a literal is an object key's value, a member assignment, a call
 * argument, an array element or a return value, and in which named function. docs/code-context.md ("JavaScript") is
 * the contract. Linear in the text: every look-ahead is bounded and charged to one budget.
 */
import { nameBefore } from './literal-names.js';
import {
  CH_BACKTICK, CH_COLON, CH_COMMA, CH_CR, CH_DOLLAR, CH_DOT, CH_DQUOTE, CH_EQ, CH_GT, CH_LBRACE, CH_LBRACKET, CH_LF, CH_LPAREN,
  CH_LT, CH_QUESTION, CH_RBRACE, CH_RBRACKET, CH_RPAREN, CH_SEMI, CH_SLASH, CH_SPACE, CH_SQUOTE, CH_STAR, CH_TAB,
  EXPRESSION_KEYWORDS, GLOBAL_OBJECTS, IDENT_PART, KEYWORDS, P_ARROW, identEnd, isIdentStart, quotedEnd, quotedEscaped, regexEnd, regexScanned, templateEnd, unescapeJs,
} from './js-lex.js';

/** Deepest bracket/template nesting tracked; deeper brackets are only counted (the names inside them are lost). */
export const MAX_JS_NESTING = 4096;
/** Longest identifier, key, member path or callee kept as a name. */
export const MAX_CONTEXT_CHARS = 256;
/** Characters looked at after a literal (spaces, comments) to tell whether it is a whole value or argument. */
export const MAX_PEEK_CHARS = 256;
/**
 * Look-ahead characters (regex literals that turn out to be divisions, peeks after literals) allowed per character
 * of input: a line of unclosed `[/` would otherwise cost MAX_REGEX_CHARS per slash. Past it, a slash is a division
 * and a literal is not known to be whole (`js.lookahead_budget`).
 */
export const JS_LOOKAHEAD_FACTOR = 8;

const enum Tok {
  None,
  Ident,
  String,
  Number,
  Close,
  Punct,
}

/** What a bracket is. */
const enum F {
  /** `( ... )` that is no call: grouping, `if (...)`. */
  Group,
  /** A call's or `new`'s argument list. */
  Call,
  /** The parameter list after `function [name]`. */
  Params,
  /** `x[...]`: a computed member. */
  Index,
  /** `[...]` array literal. */
  Array,
  /** `{...}` object literal. */
  Object,
  /** `{...}` block. */
  Block,
  /** `{...}` function body. */
  Function,
  /** `{...}` class body. */
  Class,
  /** `${...}` template substitution. */
  Subst,
}

/** What the pending name was bound by. */
const enum B {
  None,
  /** `name = ...`, `const name = ...`, `name: Type = ...`, a label. */
  Var,
  /** `key: ...` in an object literal, `field = ...` in a class body. */
  Prop,
  /** `obj.key = ...`, `obj["key"] = ...`. */
  Member,
}

interface JsFrame {
  open: number;
  kind: F;
  /** The pending binding before the bracket opened, restored when it closes. */
  restoreName: string | undefined;
  restoreObj: string | undefined;
  restoreKind: B;
  /** The binding that applies inside the bracket after a comma (groups and substitutions keep the outer one). */
  inner: string | undefined;
  innerKind: B;
  /** Object or array: the name it is stored in; call: the callee; function: its name; class: its name. */
  name: string | undefined;
  /** The enclosing named function, as written in code texts (`Class.method`), or undefined. */
  fn: string | undefined;
  /** The class or object literal the enclosing function belongs to. */
  owner: string | undefined;
  /** Call: the argument index; index: 1 once anything but one literal is inside. */
  arg: number;
  /** Call: the name the previous literal argument gives to the next one (`"X-Api-Key"`). */
  after: string | undefined;
  /** Call or index: the current argument when it is exactly one literal. */
  lit: string | undefined;
  /** Index: the object name before `[`. */
  base: string | undefined;
  /** Open `?` of conditional expressions at this level, so their `:` is not taken for a key. */
  ternary: number;
}

/** What one literal is bound to (docs/code-context.md, "JavaScript"). */
export interface JsBinding {
  context: string | undefined;
  scope: string | undefined;
  code: string | undefined;
}

/**
 * Tokenizer state for JS/TS-like source in `text[from, to)`. `next()` is a plain method (not a generator) so V8
 * optimizes its loop; it stops at each literal and leaves it in `value`, `at`, `context`, `scope` and `code`.
 * Call `finish()` at the end for the warnings about malformed input.
 */
export class JsScanner implements JsBinding {
  value = '';
  at = 0;
  context: string | undefined;
  scope: string | undefined;
  code: string | undefined;
  private i: number;
  private readonly frames: JsFrame[] = [];
  private overflow = 0;
  private found = false;
  private prev = Tok.None as Tok;
  private prevPunct = 0;
  /** Tokens read so far; a binding is direct for a literal when no token came between them. */
  private tokens = 0;
  private nameStart = -1;
  private nameEnd = -1;
  private nameString: string | undefined;
  private topTernary = 0;
  // The pending binding: the name the next value is bound to, its object and how it was bound.
  private pName: string | undefined;
  private pObj: string | undefined;
  private pKind = B.None as B;
  private pTok = -1;
  // The member path being read (`a.b.c`), its last two segments and whether `new` came before it.
  private path: string | undefined;
  private pathLast: string | undefined;
  private pathObj: string | undefined;
  private pathNew = false;
  private afterNew = false;
  /** A `case` or `default` label is open (its `:` binds nothing). */
  private inCase = false;
  /** The token count at the last `function` keyword: its parameter list opens at most three tokens later. */
  private fnTok = -10;
  /** `class` was read and its body has not opened yet; the class name. */
  private classPending = false;
  private className: string | undefined;
  /** The bracket that closed last (a call or parameter list before `{` makes a function body). */
  private lastClosed: F | undefined;
  private lastClosedName: string | undefined;
  /** The name an arrow function is bound to, read at `=>`. */
  private arrowName: string | undefined;
  private lookahead: number;
  private budgetWarned = false;
  private unterminatedStrings = 0;
  private unterminatedComment = false;
  private unterminatedTemplate = false;
  private nestingOverflow = false;

  constructor(
    private readonly text: string,
    from: number,
    private readonly to: number,
    private readonly warn: (code: string, message: string, offset?: number) => void,
  ) {
    this.i = from;
    this.lookahead = JS_LOOKAHEAD_FACTOR * (to - from) + 65536;
  }

  /** Warnings about the input, once each: unterminated strings, comments and templates, nesting, budget. */
  finish(): void {
    if (this.unterminatedStrings > 0) this.warn('js.unterminated_string', `${this.unterminatedStrings} string literals end at a line break or at the end of the text`);
    if (this.unterminatedComment) this.warn('js.unterminated_comment', 'a block comment runs to the end of the text');
    if (this.unterminatedTemplate || this.frames.some((f) => f.kind === F.Subst)) this.warn('js.unterminated_template', 'a template literal runs to the end of the text');
    if (this.nestingOverflow) this.warn('js.too_deep', `brackets nested deeper than ${MAX_JS_NESTING}; names inside them are lost`);
  }

  private charge(n: number): boolean {
    this.lookahead -= n;
    if (this.lookahead > 0) return true;
    if (!this.budgetWarned) this.warn('js.lookahead_budget', `look-ahead budget of ${JS_LOOKAHEAD_FACTOR} x the text spent; slashes are read as divisions from here on`);
    this.budgetWarned = true;
    return false;
  }

  private lastName(): string | undefined {
    if (this.nameString !== undefined) return this.nameString.length <= MAX_CONTEXT_CHARS ? this.nameString : undefined;
    if (this.nameStart < 0 || this.nameEnd - this.nameStart > MAX_CONTEXT_CHARS) return undefined;
    return this.text.slice(this.nameStart, this.nameEnd);
  }

  private lastIdent(): string | undefined {
    return this.prev === Tok.Ident && this.nameString === undefined ? this.lastName() : undefined;
  }

  private top(): JsFrame | undefined {
    return this.frames[this.frames.length - 1];
  }

  /** The pending name when it names a value (a variable, key or member), for what is opened next. */
  private boundName(): string | undefined {
    return this.pKind !== B.None ? this.pName : undefined;
  }

  private push(open: number, kind: F, name: string | undefined, inner: string | undefined, innerKind: B): JsFrame | undefined {
    if (this.frames.length >= MAX_JS_NESTING) {
      this.overflow++;
      this.nestingOverflow = true;
      return undefined;
    }
    const up = this.top();
    const frame: JsFrame = {
      open, kind, name, inner, innerKind,
      restoreName: this.pName, restoreObj: this.pObj, restoreKind: this.pKind,
      fn: up?.fn, owner: up?.owner, arg: 0, after: undefined, lit: undefined, base: undefined, ternary: 0,
    };
    this.frames.push(frame);
    this.setPending(inner, innerKind === B.None ? undefined : this.pObj, innerKind);
    return frame;
  }

  private setPending(name: string | undefined, obj: string | undefined, kind: B): void {
    this.pName = name;
    this.pObj = obj;
    this.pKind = name === undefined ? B.None : kind;
  }

  private setToken(tok: Tok, punct = 0): void {
    this.prevPunct = punct;
    this.prev = tok;
    this.tokens++;
    if (tok !== Tok.Ident && !(tok === Tok.Punct && punct === CH_DOT)) this.path = undefined;
  }

  /**
   * The next significant character after `i` (spaces, line breaks and comments skipped), -1 at the end of the text,
   * -2 when MAX_PEEK_CHARS or the budget run out; `peekNewline` says whether a line break was crossed.
   */
  private peekNewline = false;
  private peek(i: number): number {
    const { text, to } = this;
    const limit = Math.min(to, i + MAX_PEEK_CHARS);
    this.peekNewline = false;
    const start = i;
    let c = -2;
    while (i < limit) {
      const d = text.charCodeAt(i);
      if (d === CH_SPACE || d === CH_TAB || d === CH_CR) i++;
      else if (d === CH_LF) {
        this.peekNewline = true;
        i++;
      } else if (d === CH_SLASH && text.charCodeAt(i + 1) === CH_STAR) {
        const close = text.indexOf('*/', i + 2);
        if (close < 0 || close >= limit) break;
        i = close + 2;
      } else if (d === CH_SLASH && text.charCodeAt(i + 1) === CH_SLASH) {
        const nl = text.indexOf('\n', i + 2);
        if (nl < 0 || nl >= limit) break;
        i = nl;
      } else {
        c = d;
        break;
      }
    }
    if (i >= to) c = -1;
    return this.charge(i - start) ? c : -2;
  }

  /** Whether the literal that ends before `end` is a whole value: `, ; ) ] }` or the end of the statement follows. */
  private whole(end: number): number {
    const c = this.peek(end);
    if (c === -1 || c === CH_COMMA || c === CH_SEMI || c === CH_RPAREN || c === CH_RBRACKET || c === CH_RBRACE) return c;
    // A line break ends the statement before a token that cannot continue the expression.
    if (this.peekNewline && (isIdentStart(c) || c === CH_DQUOTE || c === CH_SQUOTE)) return CH_SEMI;
    return -2;
  }

  /** Binds the literal `value` at `at`, which ends before `end` (docs/code-context.md, "JavaScript"). */
  private literal(value: string, at: number, end: number): void {
    this.value = value;
    this.at = at;
    this.found = value !== '';
    const top = this.top();
    const direct = this.prev === Tok.Punct ? this.prevPunct : -1;
    let context: string | undefined;
    let scope: string | undefined;
    let code: string | undefined;
    if (this.prev === Tok.Ident && this.lastIdent() === 'return') {
      if (this.whole(end) !== -2) {
        const fn = this.functionFrame();
        context = fn?.name;
        scope = top?.owner;
        code = top?.fn !== undefined ? `return in ${top.fn}` : 'return';
      }
    } else if (top && top.kind === F.Call && (direct === CH_LPAREN || direct === CH_COMMA)) {
      const next = this.whole(end);
      if (next !== -2) {
        top.lit = value;
        const callee = top.name;
        const bare = callee === undefined ? undefined : callee.slice(callee.search(/[^ .]*$/));
        if (top.after !== undefined) context = top.after;
        else if (top.arg === 0 && next === CH_RPAREN) context = bare;
        scope = top.owner;
        if (callee !== undefined) code = `arg ${top.arg} of ${callee}${top.after !== undefined ? ` after ${JSON.stringify(top.after)}` : ''}${top.fn !== undefined ? ` in ${top.fn}` : ''}`;
      }
    } else if (top && top.kind === F.Array && (direct === CH_LBRACKET || direct === CH_COMMA)) {
      scope = top.name ?? top.owner;
    } else if (top && top.kind === F.Index && direct === CH_LBRACKET) {
      if (this.whole(end) === CH_RBRACKET) top.lit = value;
    } else {
      context = this.pName;
      if (this.pKind === B.Prop || this.pKind === B.Member) {
        const obj = this.pObj;
        scope = obj === 'this' ? top?.owner : obj !== undefined && GLOBAL_OBJECTS.has(obj) ? undefined : obj;
        // `this.key` in a class is written as the class's (DEX writes `iput Class.field`).
        const shown = obj === 'this' && scope !== undefined ? scope : obj;
        if (this.tokens === this.pTok && this.whole(end) !== -2) code = `put ${shown !== undefined ? `${shown}.` : ''}${this.pName}${top?.fn !== undefined ? ` in ${top.fn}` : ''}`;
      }
    }
    this.context = context;
    this.scope = scope;
    this.code = code;
  }

  private functionFrame(): JsFrame | undefined {
    for (let k = this.frames.length - 1; k >= 0; k--) if (this.frames[k]!.kind === F.Function) return this.frames[k];
    return undefined;
  }

  /** Template literal static text from `i` up to the closing backtick or a `${`; returns where code resumes. */
  private template(i: number, first: boolean): number {
    const { text, to } = this;
    const end = templateEnd(text, i, to);
    if (end > i) {
      const value = quotedEscaped ? unescapeJs(text, i, end) : text.slice(i, end);
      if (first && end < to && text.charCodeAt(end) === CH_BACKTICK) this.literal(value, i, end + 1);
      else {
        // Part of a template with substitutions: the pending name only, no code use.
        this.value = value;
        this.at = i;
        this.found = true;
        this.context = this.pName;
        this.scope = undefined;
        this.code = undefined;
      }
    }
    this.nameString = undefined;
    this.nameStart = -1;
    if (end >= to) {
      this.unterminatedTemplate = true;
      return to;
    }
    if (text.charCodeAt(end) === CH_BACKTICK) {
      this.setToken(Tok.String);
      return end + 1;
    }
    this.push(CH_DOLLAR, F.Subst, undefined, this.pName, this.pKind);
    this.setToken(Tok.Punct, CH_LBRACE);
    return end + 2;
  }

  /** What a `{` opens, from the tokens before it. */
  private openBrace(): void {
    const top = this.top();
    const prev = this.prev;
    const ident = this.lastIdent();
    if (this.classPending) {
      this.classPending = false;
      const f = this.push(CH_LBRACE, F.Class, this.className, undefined, B.None);
      if (f) f.owner = this.className;
      return;
    }
    let fnName: string | undefined;
    let isFunction = false;
    if (prev === Tok.Close && this.prevPunct === CH_RPAREN && (this.lastClosed === F.Params || (this.lastClosed === F.Call && this.lastClosedName !== undefined && /^[\w$]+$/.test(this.lastClosedName)))) {
      isFunction = true;
      fnName = this.lastClosedName;
    } else if (prev === Tok.Punct && this.prevPunct === P_ARROW) {
      isFunction = true;
      fnName = this.arrowName;
    }
    if (isFunction) {
      const container = top && (top.kind === F.Object || top.kind === F.Class) ? top.name : undefined;
      const f = this.push(CH_LBRACE, F.Function, fnName, undefined, B.None);
      if (f) {
        f.owner = container ?? top?.owner;
        f.fn = fnName === undefined ? undefined : container !== undefined ? `${container}.${fnName}` : fnName;
      }
      return;
    }
    const objectAfterPunct = prev === Tok.Punct && this.prevPunct !== CH_SEMI && this.prevPunct !== CH_LBRACE && (this.prevPunct !== CH_COLON || (top !== undefined && (top.kind === F.Object || top.ternary > 0)) || (top === undefined && this.topTernary > 0));
    if (objectAfterPunct || (ident !== undefined && EXPRESSION_KEYWORDS.has(ident))) {
      let name = this.boundName();
      if (top && prev === Tok.Punct && (this.prevPunct === CH_LPAREN || this.prevPunct === CH_COMMA)) {
        // An object given to a call is named by the callee when it is the first argument; inside an array, by the array.
        if (top.kind === F.Call && top.arg === 0 && top.name !== undefined) name = top.name.slice(top.name.search(/[^ .]*$/));
        else if (top.kind === F.Array) name = top.name;
      } else if (top && top.kind === F.Array && prev === Tok.Punct && this.prevPunct === CH_LBRACKET) name = top.name;
      this.push(CH_LBRACE, F.Object, name, undefined, B.None);
      return;
    }
    this.push(CH_LBRACE, F.Block, undefined, undefined, B.None);
  }

  /** Advances to the next string literal; false at the end. */
  next(): boolean {
    const { text, to, frames } = this;
    this.found = false;
    let i = this.i;
    while (i < to && !this.found) {
      const c = text.charCodeAt(i);
      if (c === CH_SPACE || c === CH_LF || c === CH_TAB || c === CH_CR) {
        i++;
        continue;
      }
      if (c === CH_DQUOTE || c === CH_SQUOTE) {
        const end = quotedEnd(text, i, to, c);
        const closed = end < to && text.charCodeAt(end) === c;
        if (!closed) this.unterminatedStrings++;
        const value = quotedEscaped ? unescapeJs(text, i + 1, end) : text.slice(i + 1, end);
        this.literal(value, i, closed ? end + 1 : end);
        this.nameString = value;
        this.setToken(Tok.String);
        i = closed ? end + 1 : end;
        continue;
      }
      if (c === CH_BACKTICK) {
        i = this.template(i + 1, true);
        continue;
      }
      if (c === CH_SLASH) {
        const next = text.charCodeAt(i + 1);
        if (next === CH_SLASH) {
          const nl = text.indexOf('\n', i + 2);
          i = nl < 0 || nl > to ? to : nl;
          continue;
        }
        if (next === CH_STAR) {
          const close = text.indexOf('*/', i + 2);
          if (close < 0 || close + 2 > to) this.unterminatedComment = true;
          i = close < 0 || close + 2 > to ? to : close + 2;
          continue;
        }
        const ident = this.lastIdent();
        const regexAllowed = this.prev === Tok.None || (this.prev === Tok.Punct && this.prevPunct !== P_ARROW) || (ident !== undefined && KEYWORDS.has(ident));
        if (regexAllowed && this.lookahead > 0) {
          const end = regexEnd(text, i, to);
          if (end > 0) {
            i = end;
            this.setToken(Tok.Close);
            continue;
          }
          // Not a regex after all: what was read is charged (a line of unclosed `[/` would repeat it per slash).
          this.charge(regexScanned);
        }
        this.setToken(Tok.Punct, c);
        i++;
        continue;
      }
      if (isIdentStart(c)) {
        i = this.ident(i);
        continue;
      }
      if (c >= 0x30 && c <= 0x39) {
        let j = i + 1;
        while (j < to) {
          const d = text.charCodeAt(j);
          if (d === CH_DOT || (d < 128 && IDENT_PART[d] === 1)) j++;
          else break;
        }
        this.nameStart = i;
        this.nameEnd = j;
        this.nameString = undefined;
        this.setToken(Tok.Number);
        i = j;
        continue;
      }
      let bind = false;
      switch (c) {
        case CH_EQ: {
          const next = text.charCodeAt(i + 1);
          const before = text.charCodeAt(i - 1);
          if (next === CH_GT) {
            this.arrowName = this.boundName();
            this.setToken(Tok.Punct, P_ARROW);
            i += 2;
            continue;
          }
          if (next === CH_EQ) {
            i += text.charCodeAt(i + 2) === CH_EQ ? 3 : 2;
            this.setToken(Tok.Punct, c);
            continue;
          }
          if (before === CH_EQ || before === CH_LT || before === CH_GT || before === 0x21 /* ! */) break;
          if (this.prev === Tok.Ident && this.pKind === B.Var && this.tokens === this.pTok + 1) break; // `name: Type = value` keeps `name`
          bind = this.assignment();
          break;
        }
        case CH_COLON: {
          const top = frames[frames.length - 1];
          if (top ? top.ternary > 0 : this.topTernary > 0) {
            if (top) top.ternary--;
            else this.topTernary--;
          } else if (top && top.kind === F.Object) {
            const key = this.prev === Tok.Ident || this.prev === Tok.String || this.prev === Tok.Number ? this.lastName() : this.prev === Tok.Close && this.prevPunct === CH_RBRACKET ? this.nameString : undefined;
            this.setPending(key, top.name, B.Prop);
            bind = true;
          } else if (this.inCase) {
            this.inCase = false;
            this.setPending(undefined, undefined, B.None);
          } else if (this.prev === Tok.Ident || this.prev === Tok.String) {
            const name = this.lastName();
            if (name !== undefined && !(this.prev === Tok.Ident && KEYWORDS.has(name))) {
              this.setPending(name, undefined, B.Var);
              bind = true;
            }
          }
          break;
        }
        case CH_QUESTION: {
          const next = text.charCodeAt(i + 1);
          if (next === CH_QUESTION) {
            i += 2;
            this.setToken(Tok.Punct, c);
            continue;
          }
          if (next === CH_DOT && !(text.charCodeAt(i + 2) >= 0x30 && text.charCodeAt(i + 2) <= 0x39)) {
            i += 2;
            this.setToken(Tok.Punct, CH_DOT);
            continue;
          }
          const top = frames[frames.length - 1];
          if (top) top.ternary++;
          else this.topTernary++;
          break;
        }
        case CH_LPAREN:
          this.openParen();
          break;
        case CH_LBRACKET: {
          if (this.prev === Tok.Ident || this.prev === Tok.Close || this.prev === Tok.String) {
            const base = this.prev === Tok.Ident ? this.pathLast : undefined;
            const f = this.push(c, F.Index, undefined, undefined, B.None);
            if (f) f.base = base;
          } else this.push(c, F.Array, this.boundName(), undefined, B.None);
          break;
        }
        case CH_LBRACE:
          this.openBrace();
          break;
        case CH_RPAREN:
        case CH_RBRACKET:
        case CH_RBRACE: {
          if (this.close(c)) {
            i = this.template(i + 1, false);
            continue;
          }
          this.setToken(Tok.Close, c);
          i++;
          continue;
        }
        case CH_COMMA: {
          const top = frames[frames.length - 1];
          if (top && top.kind === F.Call) {
            top.after = top.lit !== undefined ? nameBefore(top.lit) : undefined;
            top.lit = undefined;
            top.arg++;
          }
          if (top && (top.kind === F.Group || top.kind === F.Subst)) this.setPending(top.inner, top.restoreObj, top.innerKind);
          else this.setPending(undefined, undefined, B.None);
          if (top) top.ternary = 0;
          break;
        }
        case CH_SEMI:
          this.setPending(undefined, undefined, B.None);
          this.topTernary = 0;
          this.classPending = false;
          break;
        case CH_DOT:
          if (text.charCodeAt(i + 1) === CH_DOT && text.charCodeAt(i + 2) === CH_DOT) {
            i += 3;
            this.setToken(Tok.Punct, 0);
            continue;
          }
          break;
      }
      if (c === CH_COLON || c === CH_COMMA || c === CH_EQ) this.classPending = false; // `{class: x}` is a key
      this.setToken(Tok.Punct, c);
      if (bind) this.pTok = this.tokens;
      i++;
    }
    this.i = i;
    return this.found;
  }

  /** An identifier at `i`: member paths, `function`, `class`, `new`; returns its end. */
  private ident(i: number): number {
    const j = identEnd(this.text, i + 1, this.to);
    const len = j - i;
    const word = len <= MAX_CONTEXT_CHARS ? this.text.slice(i, j) : undefined;
    const afterDot = this.prev === Tok.Punct && this.prevPunct === CH_DOT && this.path !== undefined;
    const prevWord = this.lastIdent();
    if (prevWord === 'class' && word !== 'extends') this.className = word;
    if (word === 'class' && !afterDot) {
      this.classPending = true;
      this.className = this.boundName();
    } else if (word === 'function' && !afterDot) this.fnTok = this.tokens + 1;
    else if ((word === 'case' || word === 'default') && !afterDot && !(this.top()?.kind === F.Object)) this.inCase = true;
    const path = this.path;
    this.nameStart = i;
    this.nameEnd = j;
    this.nameString = undefined;
    this.setToken(Tok.Ident);
    if (afterDot && word !== undefined && path!.length + 1 + len <= MAX_CONTEXT_CHARS) {
      this.path = `${path}.${word}`;
      this.pathObj = this.pathLast;
      this.pathLast = word;
    } else {
      this.path = word;
      this.pathObj = undefined;
      this.pathLast = word;
      this.pathNew = this.afterNew;
    }
    this.afterNew = word === 'new';
    return j;
  }

  /** `=` after a name: binds what follows to a variable, a member or a class field; true when it did. */
  private assignment(): boolean {
    const top = this.top();
    if (this.prev === Tok.Ident) {
      const name = this.lastIdent();
      if (name === undefined || KEYWORDS.has(name)) return false;
      if (this.pathObj !== undefined && this.path !== undefined && this.pathLast === name) this.setPending(name, this.pathObj, B.Member);
      else if (top && top.kind === F.Class) this.setPending(name, top.name, B.Prop);
      else this.setPending(name, undefined, B.Var);
      return true;
    }
    if (this.prev === Tok.String) {
      this.setPending(this.lastName(), undefined, B.Var); // `"key" = "value";` (iOS .strings)
      return true;
    }
    if (this.prev === Tok.Close && this.prevPunct === CH_RBRACKET && this.lastClosed === F.Index) {
      const key = this.lastClosedName;
      if (key === undefined || key.length > MAX_CONTEXT_CHARS) return false;
      this.setPending(key, this.pathObj, B.Member);
      return true;
    }
    return false;
  }

  private openParen(): void {
    const ident = this.lastIdent();
    if (this.tokens - this.fnTok <= 2) {
      this.fnTok = -10;
      const name = ident !== undefined && ident !== 'function' ? ident : this.boundName();
      this.push(CH_LPAREN, F.Params, name, undefined, B.None);
      return;
    }
    if (this.prev === Tok.Ident && ident !== undefined && !KEYWORDS.has(ident)) {
      const callee = this.path !== undefined ? (this.pathNew ? `new ${this.path}` : this.path) : ident;
      this.push(CH_LPAREN, F.Call, callee, undefined, B.None);
      return;
    }
    this.push(CH_LPAREN, F.Group, undefined, this.pName, this.pKind);
  }

  /** Closes a bracket; true when it was the `}` of a template substitution (the template resumes). */
  private close(c: number): boolean {
    const frames = this.frames;
    if (this.overflow > 0) {
      this.overflow--;
      this.lastClosed = undefined;
      return false;
    }
    const top = frames[frames.length - 1];
    if (!top) {
      this.lastClosed = undefined;
      return false;
    }
    if (top.kind === F.Subst) {
      if (c !== CH_RBRACE) return false;
      frames.pop();
      this.setPending(top.restoreName, top.restoreObj, top.restoreKind);
      return true;
    }
    frames.pop();
    this.setPending(top.restoreName, top.restoreObj, top.restoreKind);
    this.lastClosed = top.kind;
    this.lastClosedName = top.kind === F.Index ? top.lit : top.name;
    if (top.kind === F.Index) {
      // `obj["key"]` continues a member path as `obj.key` would.
      this.pathObj = top.base;
      this.pathLast = top.lit;
    }
    return false;
  }
}
