# Writes OUT, a C file defining const char NAME[] with the text of IN, so
# that built-in RMT programs need no file at run time.
file(READ ${IN} text)
string(REPLACE "\\" "\\\\" text "${text}")
string(REPLACE "\"" "\\\"" text "${text}")
string(REPLACE "\n" "\\n\"\n\t\"" text "${text}")
file(WRITE ${OUT} "/* Generated from ${IN}; do not edit. */\n"
	"extern const char ${NAME}[];\nconst char ${NAME}[] =\n\t\"${text}\";\n")
