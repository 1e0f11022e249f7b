// The .nn model language. See docs/language.md for the reference.
//
// Statements need no terminator: every statement starts with a keyword or an
// identifier followed by '=' or ',', and no expression can continue with
// either, so the grammar stays unambiguous without significant newlines.
// An optional ';' is accepted between statements.
grammar NN;

file
    : importDecl* topDecl* EOF
    ;

importDecl
    : IMPORT STRING ';'?
    ;

topDecl
    : blockDecl
    | modelDecl
    | constDecl
    ;

constDecl
    : CONST ID (':' typeExpr)? '=' expr ';'?
    ;

blockDecl
    : BLOCK ID '(' paramList? ')' ('->' returnTypes)? body
    ;

modelDecl
    : MODEL ID ('(' paramList? ')')? body
    ;

paramList
    : param (',' param)* ','?
    ;

param
    : ID (':' typeExpr)? ('=' expr)?
    ;

returnTypes
    : typeExpr
    | '(' typeExpr (',' typeExpr)* ')'
    ;

body
    : '{' stmt* '}'
    ;

stmt
    : INPUT ID ':' typeExpr ';'?                        # inputStmt
    | OUTPUT ID (':' typeExpr)? ('=' expr)? ';'?        # outputStmt
    | ID (',' ID)* '=' expr ';'?                        # assignStmt
    | RETURN expr (',' expr)* ';'?                      # returnStmt
    | ASSERT expr (',' STRING)? ';'?                    # assertStmt
    ;

typeExpr
    : DTYPE '[' (expr (',' expr)*)? ']'                 # tensorType
    | TENSOR                                            # anyTensorType
    | ID                                                # namedType
    | ID '[' typeExpr ']'                               # listType
    ;

expr
    : primary                                           # primaryExpr
    | expr '[' subscript (',' subscript)* ']'           # indexExpr
    | expr AS label                                     # namedExpr
    | <assoc=right> expr '**' expr                      # powerExpr
    | op=('-' | '+') expr                               # unaryExpr
    | expr op=('*' | '/' | '//' | '%' | '@') expr       # mulExpr
    | expr op=('+' | '-') expr                          # addExpr
    | expr op=('==' | '!=' | '<' | '<=' | '>' | '>=') expr  # compareExpr
    | NOT expr                                          # notExpr
    | expr AND expr                                     # andExpr
    | expr OR expr                                      # orExpr
    | <assoc=right> expr IF expr ELSE expr              # condExpr
    ;

primary
    : INT                                               # intLit
    | FLOAT                                             # floatLit
    | STRING                                            # stringLit
    | (TRUE | FALSE)                                    # boolLit
    | NONE                                              # noneLit
    | call                                              # callPrimary
    | ID                                                # nameRef
    | '[' (expr (',' expr)* ','?)? ']'                  # listLit
    | '(' expr ')'                                      # parenExpr
    | REPEAT repeatCount ('..' repeatCount)? call       # repeatExpr
    | CHOICE '{' candidate (',' candidate)* ','? '}'    # choiceExpr
    ;

call
    : ID '(' (arg (',' arg)* ','?)? ')'
    ;

arg
    : (ID '=')? expr
    ;

repeatCount
    : INT
    | ID
    | '(' expr ')'
    ;

// `none` is a keyword but also the name of DARTS' zero operation.
candidate
    : (ID | NONE) ':' expr
    ;

subscript
    : expr                                              # indexSubscript
    | lo=expr? ':' hi=expr? (':' step=expr?)?           # sliceSubscript
    ;

label
    : ID
    | INT
    ;

// Keywords.
IMPORT : 'import' ;
CONST  : 'const' ;
BLOCK  : 'block' ;
MODEL  : 'model' ;
INPUT  : 'input' ;
OUTPUT : 'output' ;
RETURN : 'return' ;
ASSERT : 'assert' ;
REPEAT : 'repeat' ;
CHOICE : 'choice' ;
AS     : 'as' ;
IF     : 'if' ;
ELSE   : 'else' ;
AND    : 'and' ;
OR     : 'or' ;
NOT    : 'not' ;
TRUE   : 'true' ;
FALSE  : 'false' ;
NONE   : 'none' ;
TENSOR : 'tensor' ;
DTYPE  : 'f16' | 'bf16' | 'f32' | 'f64' | 'i8' | 'i32' | 'i64' | 'i1' ;

ID     : [a-zA-Z_] [a-zA-Z_0-9]* ;
FLOAT  : [0-9]+ '.' [0-9]+ EXPONENT? | [0-9]+ EXPONENT ;
INT    : [0-9]+ ;
STRING : '"' ( ~["\\\r\n] | '\\' ~[\r\n] )* '"' ;
// Recognised only to report them well; the parser never accepts them.
UNTERMINATED_STRING : '"' ( ~["\\\r\n] | '\\' ~[\r\n] )* ;

fragment EXPONENT : [eE] [+-]? [0-9]+ ;

// `#` starts a comment; `//` is floor division, as in Python.
LINE_COMMENT : '#' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
UNTERMINATED_COMMENT : '/*' ( ~[*] | '*'+ ~[*/] )* '*'* EOF ;
WS : [ \t\r\n]+ -> skip ;
// Anything else is one bad character, reported by the parser with its location.
ERROR_CHAR : . ;
