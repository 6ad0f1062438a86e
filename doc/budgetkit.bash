# bash completion for budgetkit: commands, options, format names and option values.
_budgetkit()
{
    local cur prev cmd i
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    local commands="convert info validate consolidate diff plugins layouts help"
    local global="--plugin-path --data-dir --layout-family --limit --help --version"
    cmd=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        convert | info | validate | consolidate | diff | plugins | layouts | help) cmd=${COMP_WORDS[i]}; break ;;
        --plugin-path | --data-dir | --layout-family | --limit) ((i++)) ;;
        esac
    done
    case $prev in
    --from) COMPREPLY=($(compgen -W "json xml csv archive xlsx pdf text" -- "$cur")); return ;;
    --to) COMPREPLY=($(compgen -W "json xml csv archive xlsx" -- "$cur")); return ;;
    --money-unit) COMPREPLY=($(compgen -W "元 万元" -- "$cur")); return ;;
    --jobs | --round) return ;;
    --encoding) COMPREPLY=($(compgen -W "utf-8 gb18030" -- "$cur")); return ;;
    --layout) COMPREPLY=($(compgen -W "lines wide" -- "$cur")); return ;;
    --format)
        case $cmd in
        validate | diff) COMPREPLY=($(compgen -W "text json html" -- "$cur")) ;;
        *) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
        esac
        return ;;
    --lang) COMPREPLY=($(compgen -W "zh en" -- "$cur")); return ;;
    --only | --skip) COMPREPLY=($(compgen -W "codes totals narrative" -- "$cur")); return ;;
    --limit)
        COMPREPLY=($(compgen -W "max-input-bytes= max-cells= max-string= max-depth= max-header-rows= max-entries= max-uncompressed= max-ratio= max-documents=" -- "$cur"))
        compopt -o nospace 2>/dev/null
        return ;;
    --option)
        COMPREPLY=($(compgen -W "bom=yes bom=no json-lines=yes json-lines=no input-encoding= output-encoding= encoding= year= money_unit= lines=yes member-format= package-name= title= license= source= source-path= publisher= created= catalog= explain=no grid-out= max-pages= layout= layout-family= lang= strict= unknown-econ-severity=" -- "$cur"))
        compopt -o nospace 2>/dev/null
        return ;;
    --plugin-path | --data-dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --layout-family)
        COMPREPLY=($(compgen -W "$(budgetkit layouts --format json 2>/dev/null |
            sed -n 's/.*"name": "\([^"]*\)".*/\1/p')" -- "$cur"))
        return ;;
    --catalog | --code-changes | --fix-suggestions | --partial) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    esac
    local common="--plugin-path --data-dir --layout-family --limit --option --from --help"
    case $cmd in
    "") COMPREPLY=($(compgen -W "$commands $global" -- "$cur")); return ;;
    convert) opts="$common --to --encoding --layout --jobs --money-unit --round --progress" ;;
    info) opts="$common --format --lang" ;;
    validate) opts="$common --only --skip --strict --format --lang --catalog --jobs --fix-suggestions --progress --partial --merge" ;;
    consolidate) opts="$common --to --format --lang --money-unit --strict" ;;
    diff) opts="$common --format --lang --years --code-changes" ;;
    layouts)
        if [[ $cur != -* ]]; then
            COMPREPLY=($(compgen -W "$(budgetkit layouts --format json 2>/dev/null |
                sed -n 's/.*"name": "\([^"]*\)".*/\1/p')" -- "$cur"))
            return
        fi
        opts="--format --data-dir --help" ;;
    *) opts="$common" ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -o filenames -F _budgetkit budgetkit
