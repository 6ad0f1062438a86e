/* budgetkit-bulkgen — a deterministic bulk submission for benchmarks and tests.
 *
 * It writes department budgets in the canonical JSON form (formats/document.md), one document
 * after another in one file, as a superior department receives them from its sub-units. The
 * figures are invented but behave like real ones: functional codes 类/款/项 (3/5/7 digits) and
 * economic codes 类/款 (3/5) from the published classification, parents equal to the sum of
 * their children, 支出总计 = 基本支出 + 项目支出, the department row equal to the sum of its
 * units, and the tables agreeing with each other (表4 = 表8's 基本支出 row by row, 表5's total =
 * 表7's 项目支出, 表2's sources = 表7's columns).
 *
 * Every amount is an integer count of 0.01 万元, so the sums are exact by construction. The
 * random stream of document i depends only on the seed and i, so the same seed gives the same
 * bytes, and a smaller bulk is a prefix of a larger one. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FISCAL_YEAR 2024
#define MAX_UNITS 5     /* 本级 and up to four sub-units */
#define MAX_PROJECTS 10 /* per unit */
#define MAX_SPLIT 24    /* parts an amount is split into */

/* ------------------------------------------------------------------------------------------
 * Random numbers: splitmix64, small and with a well-mixed output for any seed.
 * ---------------------------------------------------------------------------------------- */

typedef struct rng {
    uint64_t state;
} rng;

static uint64_t rng_next(rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n): values past the last whole multiple of n are drawn again, so that small
 * ranges carry no modulo bias. */
static uint64_t rng_below(rng *r, uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = rng_next(r);
    while (x >= limit);
    return x % n;
}

static int64_t rng_range(rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)rng_below(r, (uint64_t)(hi - lo) + 1);
}

static int rng_percent(rng *r, unsigned percent)
{
    return rng_below(r, 100) < percent;
}

/* Document i gets its own stream, so that generating it does not depend on the others. */
static rng rng_for_document(uint64_t seed, uint64_t index)
{
    rng r = {seed ^ (index * 0xD1B54A32D192ED03ULL)};
    rng_next(&r);
    return r;
}

/* Pick k distinct indexes out of n (k <= n) in increasing order. */
static void rng_choose(rng *r, size_t n, size_t k, size_t *out)
{
    size_t chosen = 0;
    for (size_t i = 0; i < n && chosen < k; i++)
        if (rng_below(r, n - i) < k - chosen)
            out[chosen++] = i;
}

/* ------------------------------------------------------------------------------------------
 * Classification codes (支出功能分类 and 部门预算支出经济分类, 2024), in code order, which is
 * also the printed order: a 类 is followed by its 款, each 款 by its 项.
 * ---------------------------------------------------------------------------------------- */

typedef struct code_entry {
    const char *code;
    const char *name;
} code_entry;

static const code_entry function_codes[] = {
    {"201", "一般公共服务支出"},
    {"20103", "政府办公厅（室）及相关机构事务"},
    {"2010301", "行政运行"},
    {"2010302", "一般行政管理事务"},
    {"2010350", "事业运行"},
    {"20104", "发展与改革事务"},
    {"2010401", "行政运行"},
    {"2010402", "一般行政管理事务"},
    {"2010404", "战略规划与实施"},
    {"2010405", "日常经济运行调节"},
    {"2010450", "事业运行"},
    {"2010499", "其他发展与改革事务支出"},
    {"20105", "统计信息事务"},
    {"2010501", "行政运行"},
    {"2010502", "一般行政管理事务"},
    {"2010504", "信息事务"},
    {"2010505", "专项统计业务"},
    {"2010507", "专项普查活动"},
    {"2010508", "统计抽样调查"},
    {"2010550", "事业运行"},
    {"20106", "财政事务"},
    {"2010601", "行政运行"},
    {"2010602", "一般行政管理事务"},
    {"2010604", "预算改革业务"},
    {"2010605", "财政国库业务"},
    {"2010607", "信息化建设"},
    {"2010608", "财政委托业务支出"},
    {"2010650", "事业运行"},
    {"20108", "审计事务"},
    {"2010801", "行政运行"},
    {"2010804", "审计业务"},
    {"2010805", "审计管理"},
    {"2010806", "信息化建设"},
    {"2010850", "事业运行"},
    {"20137", "网信事务"},
    {"2013704", "信息安全事务"},
    {"2013799", "其他网信事务支出"},
    {"204", "公共安全支出"},
    {"20406", "司法"},
    {"2040601", "行政运行"},
    {"2040602", "一般行政管理事务"},
    {"2040604", "基层司法业务"},
    {"2040605", "普法宣传"},
    {"2040607", "法律援助"},
    {"2040610", "社区矫正"},
    {"2040650", "事业运行"},
    {"205", "教育支出"},
    {"20501", "教育管理事务"},
    {"2050101", "行政运行"},
    {"2050102", "一般行政管理事务"},
    {"20502", "普通教育"},
    {"2050201", "学前教育"},
    {"2050202", "小学教育"},
    {"2050203", "初中教育"},
    {"2050204", "高中教育"},
    {"20508", "进修及培训"},
    {"2050802", "干部教育"},
    {"2050803", "培训支出"},
    {"206", "科学技术支出"},
    {"20601", "科学技术管理事务"},
    {"2060101", "行政运行"},
    {"2060102", "一般行政管理事务"},
    {"20604", "技术研究与开发"},
    {"2060401", "机构运行"},
    {"2060404", "科技成果转化与扩散"},
    {"2060499", "其他技术研究与开发支出"},
    {"207", "文化旅游体育与传媒支出"},
    {"20701", "文化和旅游"},
    {"2070101", "行政运行"},
    {"2070102", "一般行政管理事务"},
    {"2070104", "图书馆"},
    {"2070108", "文化活动"},
    {"2070109", "群众文化"},
    {"2070111", "文化创作与保护"},
    {"20703", "体育"},
    {"2070308", "群众体育"},
    {"208", "社会保障和就业支出"},
    {"20801", "人力资源和社会保障管理事务"},
    {"2080101", "行政运行"},
    {"2080102", "一般行政管理事务"},
    {"2080150", "事业运行"},
    {"2080199", "其他人力资源和社会保障管理事务支出"},
    {"20802", "民政管理事务"},
    {"2080201", "行政运行"},
    {"2080202", "一般行政管理事务"},
    {"2080208", "基层政权建设和社区治理"},
    {"2080250", "事业运行"},
    {"20805", "行政事业单位养老支出"},
    {"2080501", "行政单位离退休"},
    {"2080502", "事业单位离退休"},
    {"2080505", "机关事业单位基本养老保险缴费支出"},
    {"2080506", "机关事业单位职业年金缴费支出"},
    {"20810", "社会福利"},
    {"2081001", "儿童福利"},
    {"2081002", "老年福利"},
    {"210", "卫生健康支出"},
    {"21001", "卫生健康管理事务"},
    {"2100101", "行政运行"},
    {"2100102", "一般行政管理事务"},
    {"21004", "公共卫生"},
    {"2100401", "疾病预防控制机构"},
    {"2100402", "卫生监督机构"},
    {"2100408", "基本公共卫生服务"},
    {"2100409", "重大公共卫生服务"},
    {"21011", "行政事业单位医疗"},
    {"2101101", "行政单位医疗"},
    {"2101102", "事业单位医疗"},
    {"211", "节能环保支出"},
    {"21101", "环境保护管理事务"},
    {"2110101", "行政运行"},
    {"2110102", "一般行政管理事务"},
    {"2110199", "其他环境保护管理事务支出"},
    {"21103", "污染防治"},
    {"2110301", "大气"},
    {"2110302", "水体"},
    {"2110399", "其他污染防治支出"},
    {"212", "城乡社区支出"},
    {"21201", "城乡社区管理事务"},
    {"2120101", "行政运行"},
    {"2120102", "一般行政管理事务"},
    {"2120104", "城管执法"},
    {"2120199", "其他城乡社区管理事务支出"},
    {"21203", "城乡社区公共设施"},
    {"2120399", "其他城乡社区公共设施支出"},
    {"21205", "城乡社区环境卫生"},
    {"2120501", "城乡社区环境卫生"},
    {"213", "农林水支出"},
    {"21303", "水利"},
    {"2130301", "行政运行"},
    {"2130302", "一般行政管理事务"},
    {"2130304", "水利行业业务管理"},
    {"2130305", "水利工程建设"},
    {"2130306", "水利工程运行与维护"},
    {"221", "住房保障支出"},
    {"22102", "住房改革支出"},
    {"2210201", "住房公积金"},
    {"2210203", "购房补贴"},
    {"224", "灾害防治及应急管理支出"},
    {"22401", "应急管理事务"},
    {"2240101", "行政运行"},
    {"2240102", "一般行政管理事务"},
    {"2240106", "安全监管"},
    {"2240150", "事业运行"},
    {"2240199", "其他应急管理支出"},
};

static const code_entry economic_codes[] = {
    {"301", "工资福利支出"},
    {"30101", "基本工资"},
    {"30102", "津贴补贴"},
    {"30103", "奖金"},
    {"30107", "绩效工资"},
    {"30108", "机关事业单位基本养老保险缴费"},
    {"30109", "职业年金缴费"},
    {"30110", "职工基本医疗保险缴费"},
    {"30112", "其他社会保障缴费"},
    {"30113", "住房公积金"},
    {"30199", "其他工资福利支出"},
    {"302", "商品和服务支出"},
    {"30201", "办公费"},
    {"30202", "印刷费"},
    {"30203", "咨询费"},
    {"30207", "邮电费"},
    {"30211", "差旅费"},
    {"30213", "维修（护）费"},
    {"30215", "会议费"},
    {"30216", "培训费"},
    {"30217", "公务接待费"},
    {"30226", "劳务费"},
    {"30227", "委托业务费"},
    {"30228", "工会经费"},
    {"30229", "福利费"},
    {"30231", "公务用车运行维护费"},
    {"30239", "其他交通费用"},
    {"30299", "其他商品和服务支出"},
    {"303", "对个人和家庭的补助"},
    {"30302", "退休费"},
    {"30305", "生活补助"},
    {"309", "资本性支出（基本建设）"},
    {"30905", "基础设施建设"},
    {"30906", "大型修缮"},
    {"30907", "信息网络及软件购置更新"},
    {"310", "资本性支出"},
    {"31002", "办公设备购置"},
    {"31007", "信息网络及软件购置更新"},
};

#define NFUNC (sizeof function_codes / sizeof function_codes[0])
#define NECON (sizeof economic_codes / sizeof economic_codes[0])

/* Index of a code in a table; the tables are small and searched only while a document is
 * planned, a few hundred times per document. */
static size_t code_index(const code_entry *table, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].code, code) == 0)
            return i;
    fprintf(stderr, "budgetkit-bulkgen: internal error: code %s is not in the table\n", code);
    exit(3);
}

static size_t fcode(const char *code) { return code_index(function_codes, NFUNC, code); }
static size_t ecode(const char *code) { return code_index(economic_codes, NECON, code); }

/* ------------------------------------------------------------------------------------------
 * What departments look like: regions, bureaus with their functional codes, projects and
 * sub-units.
 * ---------------------------------------------------------------------------------------- */

static const char *const regions[] = {
    "深圳市福田区", "深圳市罗湖区", "深圳市南山区", "深圳市宝安区", "深圳市龙岗区",
    "深圳市盐田区", "深圳市龙华区", "深圳市坪山区", "深圳市光明区", "深圳市大鹏新区",
    "广州市越秀区", "广州市海珠区", "广州市荔湾区", "广州市天河区", "广州市白云区",
    "广州市黄埔区", "广州市番禺区", "广州市花都区", "广州市南沙区", "广州市从化区",
    "广州市增城区", "珠海市香洲区", "珠海市斗门区", "珠海市金湾区", "佛山市禅城区",
    "佛山市南海区", "佛山市顺德区", "佛山市三水区", "佛山市高明区", "汕头市金平区",
    "汕头市龙湖区", "汕头市濠江区", "汕头市潮阳区", "汕头市潮南区", "汕头市澄海区",
    "惠州市惠城区", "惠州市惠阳区", "博罗县",       "惠东县",       "龙门县",
    "江门市蓬江区", "江门市江海区", "江门市新会区", "台山市",       "开平市",
    "鹤山市",       "恩平市",       "湛江市赤坎区", "湛江市霞山区", "湛江市坡头区",
    "湛江市麻章区", "肇庆市端州区", "肇庆市鼎湖区", "肇庆市高要区", "韶关市武江区",
    "韶关市浈江区", "韶关市曲江区", "清远市清城区", "清远市清新区", "茂名市茂南区",
    "茂名市电白区", "梅州市梅江区", "梅州市梅县区", "河源市源城区", "阳江市江城区",
    "阳江市阳东区", "潮州市湘桥区", "潮州市潮安区", "揭阳市榕城区", "揭阳市揭东区",
    "云浮市云城区", "云浮市云安区", "汕尾市城区",   "东莞市",       "中山市",
    "北京市东城区", "北京市西城区", "北京市朝阳区", "北京市海淀区", "北京市丰台区",
    "北京市石景山区", "北京市门头沟区", "北京市房山区", "北京市通州区", "北京市顺义区",
    "北京市昌平区", "北京市大兴区", "北京市怀柔区", "北京市平谷区", "北京市密云区",
    "北京市延庆区", "上海市黄浦区", "上海市徐汇区", "上海市长宁区", "上海市静安区",
    "上海市普陀区", "上海市虹口区", "上海市杨浦区", "上海市闵行区", "上海市宝山区",
    "上海市嘉定区", "上海市浦东新区", "上海市金山区", "上海市松江区", "上海市青浦区",
    "上海市奉贤区", "上海市崇明区",
};
#define NREGIONS (sizeof regions / sizeof regions[0])

/* When a bulk has more documents than regions × bureaus, the next round of departments are
 * those of a region's streets (街道), so that no two documents name the same department or
 * unit: a submission holds each budget once. */
static const char *const streets[] = {
    "东门", "南湖", "园岭", "沙头", "香蜜湖", "莲花", "华富", "梅林", "福保", "南园",
    "华强北", "新安", "西乡", "福永", "沙井", "松岗", "石岩", "航城", "福海", "新桥",
    "燕罗", "布吉", "坂田", "南湾", "平湖", "横岗", "龙城", "坪地", "吉华", "宝龙",
    "园山", "南澳", "葵涌", "观湖", "民治", "大浪", "观澜", "福城", "马田", "凤凰",
};
#define NSTREETS (sizeof streets / sizeof streets[0])

typedef struct bureau {
    const char *name;
    const char *run_self;          /* where the 本级's basic operation is booked (行政运行) */
    const char *run_sub;           /* and a sub-unit's (事业运行 or its service line) */
    const char *project_codes[6];  /* functional 项 the bureau's projects are booked on */
    const char *projects[8];
    const char *subunits[4];
} bureau;

static const bureau bureaus[] = {
    {"政务服务数据管理局", "2010301", "2010350",
     {"2010302", "2010504", "2013799", "2013704"},
     {"政务服务事务", "信息技术服务", "数据管理事务", "大厅运营事务", "电子政务云服务",
      "数据安全保障", "一网通办平台运维", "政务热线服务"},
     {"政务服务中心", "政务信息中心", "数据资源中心", "电子政务中心"}},
    {"发展和改革局", "2010401", "2010450",
     {"2010402", "2010404", "2010405", "2010499"},
     {"国民经济和社会发展规划编制", "重大项目前期研究", "价格监测工作", "节能降碳工作经费",
      "社会信用体系建设", "经济运行监测分析", "重点项目督办", "粮食储备管理"},
     {"价格认证中心", "重大项目服务中心", "经济研究中心", "公共信用中心"}},
    {"统计局", "2010501", "2010550",
     {"2010502", "2010505", "2010507", "2010508"},
     {"统计调查经费", "经济普查专项", "人口抽样调查", "统计数据质量核查", "统计信息化建设",
      "统计年鉴编印", "住户调查补助", "统计执法检查"},
     {"统计数据中心", "社会经济调查队", "普查中心", "统计信息服务中心"}},
    {"财政局", "2010601", "2010650",
     {"2010602", "2010604", "2010605", "2010607", "2010608"},
     {"预算绩效评价", "财政投资评审", "国库集中支付代理", "政府采购监管", "财政信息化建设",
      "资产清查核实", "会计监督检查", "政府债务管理"},
     {"财政投资评审中心", "国库支付中心", "财政信息中心", "政府采购中心"}},
    {"审计局", "2010801", "2010850",
     {"2010804", "2010805", "2010806"},
     {"审计业务经费", "政府投资审计", "经济责任审计", "审计信息化建设", "聘请中介机构审计",
      "审计整改督查", "专项资金审计调查", "内部审计指导"},
     {"审计信息中心", "投资审计中心", "审计事务中心", "审计培训中心"}},
    {"教育局", "2050101", "2050203",
     {"2050102", "2050201", "2050202", "2050204", "2050802"},
     {"学前教育补助", "义务教育公用经费", "校舍维修改造", "教师培训经费", "学生资助",
      "教育信息化建设", "校园安保服务", "课后服务补助"},
     {"第一实验学校", "第二小学", "教师发展中心", "学生资助管理中心"}},
    {"科技创新局", "2060101", "2060401",
     {"2060102", "2060404", "2060499"},
     {"科技创新专项资金", "高新技术企业培育", "科技成果转化奖励", "科普活动经费",
      "创新载体建设", "知识产权保护", "科技计划项目管理", "科技金融服务"},
     {"科技创新服务中心", "生产力促进中心", "科技信息研究所", "知识产权保护中心"}},
    {"文化广电旅游体育局", "2070101", "2070104",
     {"2070102", "2070108", "2070109", "2070111", "2070308"},
     {"公共文化服务", "群众文化活动", "全民健身活动", "文物保护修缮", "图书馆购书经费",
      "旅游宣传推广", "体育赛事组织", "非物质文化遗产保护"},
     {"图书馆", "文化馆", "体育中心", "博物馆"}},
    {"人力资源局", "2080101", "2080150",
     {"2080102", "2080199"},
     {"就业创业补贴", "职业技能培训", "人才引进服务", "劳动监察执法", "社会保险经办",
      "人事考试组织", "人才住房保障", "劳动关系协调"},
     {"人才服务中心", "劳动人事争议仲裁院", "就业服务中心", "职业技能鉴定中心"}},
    {"民政局", "2080201", "2080250",
     {"2080202", "2080208", "2081001", "2081002"},
     {"社区治理经费", "养老服务补贴", "儿童福利保障", "殡葬管理服务", "社会组织培育",
      "婚姻登记服务", "残疾人福利补助", "地名管理"},
     {"社会福利中心", "救助管理站", "婚姻登记中心", "养老服务指导中心"}},
    {"卫生健康局", "2100101", "2100401",
     {"2100102", "2100402", "2100408", "2100409"},
     {"基本公共卫生服务", "重大传染病防控", "卫生监督执法", "家庭医生签约服务",
      "妇幼保健服务", "医疗机构监管", "健康教育宣传", "爱国卫生运动"},
     {"疾病预防控制中心", "卫生监督所", "妇幼保健院", "慢性病防治中心"}},
    {"生态环境局", "2110101", "2110199",
     {"2110102", "2110301", "2110302", "2110399"},
     {"大气污染防治", "水污染治理", "环境监测服务", "土壤污染防治", "生态环境执法",
      "固体废物管理", "环境影响评价审查", "噪声污染防治"},
     {"环境监测站", "环境科学研究所", "生态环境执法大队", "环境信息中心"}},
    {"城市管理和综合执法局", "2120101", "2120199",
     {"2120102", "2120104", "2120399", "2120501"},
     {"市容环境卫生管理", "城管执法经费", "公园绿化养护", "垃圾分类处理", "市政设施维护",
      "违法建筑查处", "户外广告整治", "道路清扫保洁"},
     {"环境卫生管理处", "综合执法大队", "公园管理中心", "市政设施管理中心"}},
    {"水务局", "2130301", "2130306",
     {"2130302", "2130304", "2130305"},
     {"河道综合整治", "水库安全运行", "防汛抗旱经费", "供水管网改造", "水资源管理",
      "排水设施维护", "水土保持监督", "节水宣传"},
     {"水库管理处", "河道管理中心", "水务工程建设中心", "水文水质监测站"}},
    {"司法局", "2040601", "2040650",
     {"2040602", "2040604", "2040605", "2040607", "2040610"},
     {"法律援助经费", "人民调解工作", "普法宣传教育", "社区矫正管理", "公共法律服务",
      "行政复议应诉", "律师行业监管", "法治政府建设"},
     {"法律援助处", "公证处", "公共法律服务中心", "社区矫正中心"}},
    {"应急管理局", "2240101", "2240150",
     {"2240102", "2240106", "2240199"},
     {"安全生产监管", "应急救援队伍建设", "应急物资储备", "安全生产宣传培训",
      "自然灾害防治", "应急指挥平台运维", "危险化学品监管", "消防安全检查"},
     {"应急指挥中心", "安全生产监测中心", "应急救援大队", "应急管理培训中心"}},
};
#define NBUREAUS (sizeof bureaus / sizeof bureaus[0])

/* Projects every bureau has; they are booked on the bureau's general administration line. */
static const char *const common_projects[] = {
    "综合管理事务", "信息化运维项目", "档案数字化项目", "办公场所租赁", "宣传工作经费",
    "物业管理服务", "安全保卫服务", "课题研究经费", "会务服务", "聘用人员经费",
};
#define NCOMMON_PROJECTS (sizeof common_projects / sizeof common_projects[0])

static const char *const invest_projects[] = {
    "办公用房维修改造工程", "信息系统建设工程", "基础设施建设工程", "业务用房建设工程",
};

static const char *const common_subunits[] = {
    "综合服务中心", "档案管理中心", "后勤服务中心", "培训中心",
};

/* Printed reasons for a change of more than 20% or 500 万元 (表5's last column). Some hold
 * ASCII commas and quotes, as real ones do, so that CSV writers must quote them. */
static const char *const reasons_up[] = {
    "结合工作实际情况,2024年新增相关工作任务,预算相应增加",
    "根据业务需求调整,项目支出有所增加",
    "按\"零基预算\"原则重新核定项目内容,经费增加",
    "服务范围扩大,采购需求增加",
};
static const char *const reasons_down[] = {
    "因政策变化,部分工作不再开展,预算相应减少",
    "项目主体建设已完成,2024年预算减少",
    "按照\"过紧日子\"要求,压减一般性支出",
    "部分工作调整至其他项目编制预算",
};
static const char *const reason_ended = "项目终止,2024年不再编制该项目预算";

/* Economic 款 that carry the basic expenditure (基本支出), with their usual share in 1/1000 of
 * a unit's basic expenditure, and how often a unit has them at all. */
typedef struct basic_line {
    const char *code;
    unsigned share;
    unsigned percent_present;
} basic_line;

static const basic_line basic_lines[] = {
    {"30101", 300, 100}, {"30102", 180, 100}, {"30103", 45, 90},  {"30107", 60, 100},
    {"30108", 70, 100},  {"30109", 35, 100},  {"30110", 30, 100}, {"30112", 3, 80},
    {"30113", 75, 100},  {"30199", 25, 70},   {"30201", 20, 100}, {"30207", 6, 80},
    {"30226", 4, 50},    {"30228", 10, 100},  {"30229", 8, 40},   {"30231", 8, 60},
    {"30239", 9, 90},    {"30299", 3, 80},    {"30302", 8, 50},   {"30305", 2, 20},
};
#define NBASIC_LINES (sizeof basic_lines / sizeof basic_lines[0])

/* Economic 款 that ordinary projects are spent on, with their weight (the last field is
 * unused: each project picks one to three of them). */
static const basic_line project_lines[] = {
    {"30227", 40, 0}, {"30226", 20, 0}, {"30201", 6, 0},  {"30299", 6, 0},  {"30213", 5, 0},
    {"30203", 4, 0},  {"30211", 3, 0},  {"30207", 3, 0},  {"30202", 2, 0},  {"30215", 2, 0},
    {"30216", 2, 0},  {"30217", 1, 0},  {"31002", 3, 0},  {"31007", 3, 0},
};
#define NPROJECT_LINES (sizeof project_lines / sizeof project_lines[0])

static const char *const invest_lines[] = {"30905", "30906", "30907"};

/* ------------------------------------------------------------------------------------------
 * The plan of one document: every figure, before anything is written.
 * ---------------------------------------------------------------------------------------- */

enum { FUND_DUTY, FUND_SPECIAL, FUND_INVEST };

typedef struct project_plan {
    const char *name;
    size_t func;   /* functional 项 (index into function_codes) */
    int fund;      /* FUND_*: which 一般公共预算拨款 column pays it */
    int64_t total; /* 2024 budget */
    int64_t prev_initial, prev_adjusted;
    const char *reason;
} project_plan;

typedef struct unit_plan {
    char id[24];
    char name[160];
    int self; /* the department's 本级, else a sub-unit (基层单位) */
    int64_t func_basic[NFUNC], func_project[NFUNC];
    int64_t econ_basic[NECON], econ_project[NECON];
    size_t nprojects;
    project_plan projects[MAX_PROJECTS];
} unit_plan;

/* Sums over the rows that make a unit's (or the department's) summary row. */
typedef struct totals {
    int64_t basic, project;
    int64_t duty, special, invest;    /* 项目支出 by source (表2, 表5) */
    int64_t prev_initial, prev_adjusted;
} totals;

typedef struct document {
    uint64_t index;
    char dept_name[128];
    char dept_code[16];
    size_t nunits;
    unit_plan units[MAX_UNITS];
    totals unit_totals[MAX_UNITS];
    totals dept;
} document;

/* Split total into n parts in proportion to weights (each within ±30% of its nominal value),
 * exactly: the last part takes what the rounding left. */
static void split_amount(rng *r, int64_t total, const unsigned *weights, size_t n, int64_t *parts)
{
    int64_t w[MAX_SPLIT], sum = 0, given = 0;
    for (size_t i = 0; i < n; i++) {
        w[i] = (int64_t)weights[i] * rng_range(r, 70, 130);
        sum += w[i];
    }
    for (size_t i = 0; i + 1 < n; i++) {
        parts[i] = total * w[i] / sum;
        given += parts[i];
    }
    parts[n - 1] = total - given;
}

/* Basic expenditure: split over the economic 款, then booked on functional 项 the way budgets
 * do: pensions, medical insurance and housing on their own lines, the rest on 行政运行. */
static void plan_basic(rng *r, const bureau *b, unit_plan *u)
{
    int64_t basic = u->self ? rng_range(r, 30000, 400000) : rng_range(r, 10000, 200000);
    unsigned weights[MAX_SPLIT];
    size_t lines[MAX_SPLIT], n = 0;
    for (size_t i = 0; i < NBASIC_LINES; i++) {
        if (!rng_percent(r, basic_lines[i].percent_present))
            continue;
        lines[n] = ecode(basic_lines[i].code);
        weights[n++] = basic_lines[i].share;
    }
    int64_t parts[MAX_SPLIT];
    split_amount(r, basic, weights, n, parts);
    for (size_t i = 0; i < n; i++)
        u->econ_basic[lines[i]] += parts[i];

    int64_t rest = basic;
    struct {
        const char *econ, *func_self, *func_sub;
    } const booked[] = {
        {"30108", "2080505", "2080505"}, {"30109", "2080506", "2080506"},
        {"30110", "2101101", "2101102"}, {"30113", "2210201", "2210201"},
        {"30302", "2080501", "2080502"},
    };
    for (size_t i = 0; i < sizeof booked / sizeof booked[0]; i++) {
        int64_t v = u->econ_basic[ecode(booked[i].econ)];
        u->func_basic[fcode(u->self ? booked[i].func_self : booked[i].func_sub)] += v;
        rest -= v;
    }
    /* 购房补贴 is paid out of 津贴补贴. */
    int64_t housing = u->econ_basic[ecode("30102")] * rng_range(r, 50, 90) / 100;
    u->func_basic[fcode("2210203")] += housing;
    rest -= housing;
    u->func_basic[fcode(u->self ? b->run_self : b->run_sub)] += rest;
}

static size_t project_code_count(const bureau *b)
{
    size_t n = 0;
    while (n < sizeof b->project_codes / sizeof b->project_codes[0] && b->project_codes[n])
        n++;
    return n;
}

/* A project's name: the bureau's own, the common ones, a training budget or a government
 * investment, each at most once per unit. */
static void plan_project_names(rng *r, const bureau *b, unit_plan *u, size_t n)
{
    const char *pool[8 + NCOMMON_PROJECTS];
    size_t npool = 0;
    for (size_t i = 0; i < 8; i++)
        pool[npool++] = b->projects[i];
    for (size_t i = 0; i < NCOMMON_PROJECTS; i++)
        pool[npool++] = common_projects[i];
    size_t pick[8 + NCOMMON_PROJECTS];
    int invest = u->self && rng_percent(r, 25);
    int training = rng_percent(r, 40);
    size_t ordinary = n - (size_t)invest - (size_t)training;
    rng_choose(r, npool, ordinary, pick);
    size_t k = 0;
    for (size_t i = 0; i < ordinary; i++) {
        project_plan *p = &u->projects[k++];
        p->name = pool[pick[i]];
        p->fund = rng_percent(r, 85) ? FUND_DUTY : FUND_SPECIAL;
        p->func = pick[i] < 8 ? fcode(b->project_codes[rng_below(r, project_code_count(b))])
                              : fcode(b->project_codes[0]);
    }
    if (training) {
        project_plan *p = &u->projects[k++];
        p->name = "干部培训经费";
        p->fund = FUND_DUTY;
        p->func = fcode("2050803");
    }
    if (invest) {
        project_plan *p = &u->projects[k++];
        p->name = invest_projects[rng_below(r, sizeof invest_projects / sizeof invest_projects[0])];
        p->fund = FUND_INVEST;
        p->func = fcode(b->project_codes[0]);
    }
    u->nprojects = k;
}

/* Book a project's budget on economic 款: government investment on capital lines, training
 * mostly on 培训费, the rest mostly on 委托业务费 and 劳务费. */
static void plan_project_economics(rng *r, unit_plan *u, const project_plan *p)
{
    size_t lines[3];
    unsigned weights[3];
    size_t n = 0;
    if (p->fund == FUND_INVEST) {
        lines[n] = ecode(invest_lines[rng_below(r, sizeof invest_lines / sizeof invest_lines[0])]);
        weights[n++] = 1;
    } else if (strcmp(p->name, "干部培训经费") == 0) {
        lines[n] = ecode("30216");
        weights[n++] = 8;
        lines[n] = ecode("30211");
        weights[n++] = 1;
    } else {
        size_t k = (size_t)rng_range(r, 1, 3), pick[3];
        rng_choose(r, NPROJECT_LINES, k, pick);
        for (size_t i = 0; i < k; i++) {
            lines[n] = ecode(project_lines[pick[i]].code);
            weights[n++] = project_lines[pick[i]].share;
        }
    }
    int64_t parts[3];
    split_amount(r, p->total, weights, n, parts);
    for (size_t i = 0; i < n; i++)
        u->econ_project[lines[i]] += parts[i];
}

static void plan_projects(rng *r, const bureau *b, unit_plan *u)
{
    size_t n = u->self ? (size_t)rng_range(r, 3, 8) : (size_t)rng_range(r, 2, 5);
    plan_project_names(r, b, u, n);
    for (size_t i = 0; i < u->nprojects; i++) {
        project_plan *p = &u->projects[i];
        if (rng_percent(r, 4)) {
            /* Ended this year: printed with 0.00 and a reason, booked nowhere. */
            p->total = 0;
            p->prev_initial = rng_range(r, 5000, 50000);
            p->prev_adjusted = p->prev_initial * rng_range(r, 90, 110) / 100;
            continue;
        }
        p->total = rng_range(r, 1, 100) * rng_range(r, 100, 2000);
        p->prev_initial = p->total * rng_range(r, 60, 140) / 100;
        if (p->prev_initial < 100)
            p->prev_initial = 100;
        p->prev_adjusted = p->prev_initial * rng_range(r, 90, 130) / 100;
        u->func_project[p->func] += p->total;
        plan_project_economics(r, u, p);
    }
}

/* Parents of the code tables, found once: the entry whose code is the 3- or 5-digit prefix. */
static long func_parent[NFUNC], econ_parent[NECON];

static void find_parents(const code_entry *table, size_t n, long *parent)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(table[i].code);
        parent[i] = -1;
        if (len == 3)
            continue;
        for (size_t j = i; j-- > 0;) {
            if (strlen(table[j].code) == len - 2 && strncmp(table[j].code, table[i].code, len - 2) == 0) {
                parent[i] = (long)j;
                break;
            }
        }
        if (parent[i] < 0) {
            fprintf(stderr, "budgetkit-bulkgen: internal error: %s has no parent\n", table[i].code);
            exit(3);
        }
    }
}

/* Children come after their parents in the tables, so one backward pass adds each 项 to its
 * 款 before that 款 is added to its 类. */
static void roll_up(int64_t *values, const long *parent, size_t n)
{
    for (size_t i = n; i-- > 0;)
        if (parent[i] >= 0)
            values[parent[i]] += values[i];
}

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

/* change / prev × 100 in 0.01 %, rounded half away from zero. */
static int64_t percent_of(int64_t change, int64_t prev)
{
    int64_t q = abs64(change) * 10000 / prev, rem = abs64(change) * 10000 % prev;
    if (2 * rem >= prev)
        q++;
    return change < 0 ? -q : q;
}

/* An exact tie of the rounding (…5 after the printed digits) is where validators may
 * legitimately differ; the generator never prints one. */
static int percent_is_tie(int64_t change, int64_t prev)
{
    return 2 * (abs64(change) * 10000 % prev) == prev;
}

static void sum_unit(const unit_plan *u, totals *t)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < NFUNC; i++) {
        if (func_parent[i] >= 0)
            continue;
        t->basic += u->func_basic[i];
        t->project += u->func_project[i];
    }
    for (size_t i = 0; i < u->nprojects; i++) {
        const project_plan *p = &u->projects[i];
        t->duty += p->fund == FUND_DUTY ? p->total : 0;
        t->special += p->fund == FUND_SPECIAL ? p->total : 0;
        t->invest += p->fund == FUND_INVEST ? p->total : 0;
        t->prev_initial += p->prev_initial;
        t->prev_adjusted += p->prev_adjusted;
    }
}

static void add_totals(totals *a, const totals *b)
{
    a->basic += b->basic;
    a->project += b->project;
    a->duty += b->duty;
    a->special += b->special;
    a->invest += b->invest;
    a->prev_initial += b->prev_initial;
    a->prev_adjusted += b->prev_adjusted;
}

/* Sum everything up, moving a project's 2023 figure by 0.01 until no printed percentage (of a
 * project, a unit or the department) is a rounding tie. */
static void settle_totals(document *d)
{
    for (;;) {
        int moved = 0;
        memset(&d->dept, 0, sizeof d->dept);
        for (size_t k = 0; k < d->nunits; k++) {
            unit_plan *u = &d->units[k];
            for (size_t i = 0; i < u->nprojects; i++)
                while (percent_is_tie(u->projects[i].total - u->projects[i].prev_initial,
                                      u->projects[i].prev_initial))
                    u->projects[i].prev_initial++;
            sum_unit(u, &d->unit_totals[k]);
            add_totals(&d->dept, &d->unit_totals[k]);
            const totals *t = &d->unit_totals[k];
            if (percent_is_tie(t->project - t->prev_initial, t->prev_initial)) {
                u->projects[0].prev_initial++;
                moved = 1;
            }
        }
        if (!moved && percent_is_tie(d->dept.project - d->dept.prev_initial, d->dept.prev_initial)) {
            d->units[0].projects[0].prev_initial++;
            moved = 1;
        }
        if (!moved)
            return;
    }
}

static void plan_reasons(document *d, rng *r)
{
    for (size_t k = 0; k < d->nunits; k++) {
        unit_plan *u = &d->units[k];
        for (size_t i = 0; i < u->nprojects; i++) {
            project_plan *p = &u->projects[i];
            int64_t change = p->total - p->prev_initial;
            p->reason = NULL;
            if (p->total == 0)
                p->reason = reason_ended;
            else if (abs64(percent_of(change, p->prev_initial)) > 2000 || abs64(change) > 50000)
                p->reason = change > 0 ? reasons_up[rng_below(r, 4)] : reasons_down[rng_below(r, 4)];
        }
    }
}

/* Which department document `index` is: every region × bureau once per round, in an order
 * that the seed shuffles (a stride coprime with their count visits each once). */
static void pick_department(uint64_t seed, uint64_t index, size_t *region, size_t *bureau_index,
                            char *place, size_t cap)
{
    const uint64_t combos = NREGIONS * NBUREAUS;
    uint64_t stride = 7919 + 2 * (seed % 1000), a = stride, b = combos;
    while (b) { /* gcd */
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    if (a != 1)
        stride = 1;
    uint64_t round = index / combos;
    uint64_t k = ((index % combos) * stride + seed) % combos;
    *region = (size_t)(k / NBUREAUS);
    *bureau_index = (size_t)(k % NBUREAUS);
    if (round == 0)
        snprintf(place, cap, "%s", regions[*region]);
    else if (round <= NSTREETS)
        snprintf(place, cap, "%s%s街道", regions[*region], streets[round - 1]);
    else
        snprintf(place, cap, "%s%s%" PRIu64 "街道", regions[*region],
                 streets[(round - 1) % NSTREETS], (round - 1) / NSTREETS + 1);
}

static void plan_document(document *d, uint64_t seed, uint64_t index)
{
    rng r = rng_for_document(seed, index);
    size_t region, bi;
    char place[96];
    memset(d, 0, sizeof *d);
    pick_department(seed, index, &region, &bi, place, sizeof place);
    const bureau *b = &bureaus[bi];
    d->index = index;
    snprintf(d->dept_name, sizeof d->dept_name, "%s%s", place, b->name);
    snprintf(d->dept_code, sizeof d->dept_code, "%010" PRIu64, (uint64_t)4400000000U + index + 1);

    /* 本级 and 0-4 sub-units, most departments having two or three. */
    static const unsigned subunit_odds[] = {10, 25, 30, 20, 15};
    uint64_t roll = rng_below(&r, 100), acc = 0;
    size_t nsub = 0;
    for (; nsub < 4; nsub++) {
        acc += subunit_odds[nsub];
        if (roll < acc)
            break;
    }
    size_t pick[8];
    rng_choose(&r, 8, nsub, pick);

    d->nunits = 1 + nsub;
    for (size_t k = 0; k < d->nunits; k++) {
        unit_plan *u = &d->units[k];
        snprintf(u->id, sizeof u->id, "u%zu", k + 1);
        u->self = k == 0;
        if (u->self)
            snprintf(u->name, sizeof u->name, "%s(本级)", d->dept_name);
        else if (pick[k - 1] < 4) /* the bureau's own: 深圳市福田区图书馆 */
            snprintf(u->name, sizeof u->name, "%s%s", place, b->subunits[pick[k - 1]]);
        else /* the common ones carry the bureau's name: 深圳市福田区教育局后勤服务中心 */
            snprintf(u->name, sizeof u->name, "%s%s", d->dept_name, common_subunits[pick[k - 1] - 4]);
        plan_basic(&r, b, u);
        plan_projects(&r, b, u);
        roll_up(u->func_basic, func_parent, NFUNC);
        roll_up(u->func_project, func_parent, NFUNC);
        roll_up(u->econ_basic, econ_parent, NECON);
        roll_up(u->econ_project, econ_parent, NECON);
    }
    settle_totals(d);
    plan_reasons(d, &r);
}

/* ------------------------------------------------------------------------------------------
 * Writing the canonical JSON layout: two-space indentation, one member per line, empty
 * containers as {} and [], UTF-8 as is, a newline after each document.
 * ---------------------------------------------------------------------------------------- */

#define OUT_BUFSIZE (1u << 20)
#define MAX_DEPTH 12

typedef struct writer {
    FILE *f;
    int failed;
    int depth;
    unsigned members[MAX_DEPTH];
    size_t len;
    uint64_t bytes, cells;
    char buf[OUT_BUFSIZE];
} writer;

static void w_flush(writer *w)
{
    if (w->len && !w->failed && fwrite(w->buf, 1, w->len, w->f) != w->len)
        w->failed = 1;
    w->bytes += w->len;
    w->len = 0;
}

static void w_raw(writer *w, const char *s, size_t n)
{
    if (w->len + n > OUT_BUFSIZE) {
        w_flush(w);
        if (n > OUT_BUFSIZE) {
            if (!w->failed && fwrite(s, 1, n, w->f) != n)
                w->failed = 1;
            w->bytes += n;
            return;
        }
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static void w_cstr(writer *w, const char *s) { w_raw(w, s, strlen(s)); }

static void w_newline(writer *w)
{
    static const char indent[] = "\n                        ";
    w_raw(w, indent, 1 + 2 * (size_t)w->depth);
}

static void w_string(writer *w, const char *s)
{
    w_raw(w, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        w_raw(w, run, (size_t)(s - run));
        char esc[8];
        if (c == '"' || c == '\\')
            snprintf(esc, sizeof esc, "\\%c", c);
        else if (c == '\n')
            snprintf(esc, sizeof esc, "\\n");
        else
            snprintf(esc, sizeof esc, "\\u%04x", c);
        w_cstr(w, esc);
        run = s + 1;
    }
    w_raw(w, run, (size_t)(s - run));
    w_raw(w, "\"", 1);
}

static void w_open(writer *w, char c)
{
    w_raw(w, &c, 1);
    w->members[++w->depth] = 0;
}

static void w_close(writer *w, char c)
{
    unsigned n = w->members[w->depth--];
    if (n)
        w_newline(w);
    w_raw(w, &c, 1);
}

/* The start of the next array element or object member. */
static void w_next(writer *w)
{
    if (w->members[w->depth]++)
        w_raw(w, ",", 1);
    w_newline(w);
}

static void w_key(writer *w, const char *key)
{
    w_next(w);
    w_string(w, key);
    w_raw(w, ": ", 2);
}

static void w_key_string(writer *w, const char *key, const char *value)
{
    w_key(w, key);
    w_string(w, value);
}

static void w_key_int(writer *w, const char *key, long long value)
{
    char num[24];
    w_key(w, key);
    w_raw(w, num, (size_t)snprintf(num, sizeof num, "%lld", value));
}

/* An amount in 0.01 万元 (or a percentage in 0.01 %) as printed: "-217.70". */
static void w_cell_amount(writer *w, const char *column, int64_t v)
{
    char num[32];
    int64_t a = abs64(v);
    w_key(w, column);
    w_raw(w, num, (size_t)snprintf(num, sizeof num, "\"%s%" PRId64 ".%02" PRId64 "\"",
                                  v < 0 ? "-" : "", a / 100, a % 100));
    w->cells++;
}

static void w_cell_text(writer *w, const char *column, const char *text)
{
    w_key_string(w, column, text);
    w->cells++;
}

static void w_row_begin(writer *w, const char *kind, const char *unit, const char *code,
                        const char *name, int level)
{
    w_next(w);
    w_open(w, '{');
    w_key_string(w, "kind", kind);
    w_key_string(w, "unit", unit);
    if (code)
        w_key_string(w, "code", code);
    w_key_string(w, "name", name);
    if (level)
        w_key_int(w, "level", level);
    w_key(w, "cells");
    w_open(w, '{');
}

static void w_row_end(writer *w)
{
    w_close(w, '}');
    w_close(w, '}');
}

static void w_table_begin(writer *w, const document *d, const char *id)
{
    w_next(w);
    w_open(w, '{');
    w_key_string(w, "id", id);
    w_key_string(w, "layout", "shenzhen");
    w_key_string(w, "unit_label", d->dept_name);
    w_key_string(w, "note", "本套报表金额单位转换时可能存在尾数误差");
    w_key(w, "rows");
    w_open(w, '[');
}

static void w_table_end(writer *w)
{
    w_close(w, ']');
    w_close(w, '}');
}

static void w_zeros(writer *w, const char *const *columns)
{
    for (; *columns; columns++)
        w_cell_amount(w, *columns, 0);
}

/* 收入总表: one row per unit; every yuan comes from the general public budget. */
static void write_t02_row(writer *w, const char *unit, const char *name, const totals *t)
{
    static const char *const other_sources[] = {
        "fund", "soe", "special_account", "biz_income", "biz_operating", "superior",
        "affiliated", "other", "carryover", NULL};
    w_row_begin(w, "unit", unit, NULL, name, 0);
    w_cell_amount(w, "total", t->basic + t->project);
    w_cell_amount(w, "general", t->basic + t->project);
    w_cell_amount(w, "general_basic", t->basic);
    w_cell_amount(w, "general_duty", t->duty);
    w_cell_amount(w, "general_special", t->special);
    w_cell_amount(w, "general_invest", t->invest);
    w_zeros(w, other_sources);
    w_row_end(w);
}

static void write_t02(writer *w, const document *d)
{
    w_table_begin(w, d, "T02");
    write_t02_row(w, "dept", d->dept_name, &d->dept);
    for (size_t k = 0; k < d->nunits; k++)
        write_t02_row(w, d->units[k].id, d->units[k].name, &d->unit_totals[k]);
    w_table_end(w);
}

/* 基本支出总表: a basic-expenditure figure, all of it 一般公共预算拨款. */
static void write_t04_cells(writer *w, int64_t v)
{
    static const char *const others[] = {"fund", "soe", "special_account", "own", "biz_income",
                                         "biz_operating", "superior", "affiliated", "other",
                                         "carryover", NULL};
    w_cell_amount(w, "total", v);
    w_cell_amount(w, "gov", v);
    w_cell_amount(w, "general", v);
    w_zeros(w, others);
}

static void write_t04(writer *w, const document *d)
{
    w_table_begin(w, d, "T04");
    w_row_begin(w, "unit", "dept", NULL, d->dept_name, 0);
    write_t04_cells(w, d->dept.basic);
    w_row_end(w);
    for (size_t k = 0; k < d->nunits; k++) {
        const unit_plan *u = &d->units[k];
        w_row_begin(w, "unit", u->id, NULL, u->name, 0);
        write_t04_cells(w, d->unit_totals[k].basic);
        w_row_end(w);
        /* Printed by name only, the hierarchy shown by indentation. */
        for (size_t i = 0; i < NECON; i++) {
            if (u->econ_basic[i] == 0)
                continue;
            w_row_begin(w, "item", u->id, NULL, economic_codes[i].name, econ_parent[i] < 0 ? 1 : 2);
            write_t04_cells(w, u->econ_basic[i]);
            w_row_end(w);
        }
    }
    w_table_end(w);
}

/* 项目支出总表 figures of a project, a unit or the department. */
static void write_t05_cells(writer *w, int64_t prev_initial, int64_t prev_adjusted, int64_t total,
                            int64_t duty, int64_t special, int64_t invest, const char *reason)
{
    static const char *const others[] = {"fund", "soe", "special_account", "biz_income",
                                         "biz_operating", "superior", "affiliated", "other",
                                         "carryover", NULL};
    int64_t change = total - prev_initial;
    w_cell_amount(w, "prev_initial", prev_initial);
    w_cell_amount(w, "prev_adjusted", prev_adjusted);
    w_cell_amount(w, "total", total);
    w_cell_amount(w, "general", total);
    w_cell_amount(w, "general_duty", duty);
    w_cell_amount(w, "general_special", special);
    w_cell_amount(w, "general_invest", invest);
    w_zeros(w, others);
    w_cell_amount(w, "change", change);
    w_cell_amount(w, "change_pct", percent_of(change, prev_initial));
    if (reason)
        w_cell_text(w, "explanation", reason);
}

static void write_t05(writer *w, const document *d)
{
    w_table_begin(w, d, "T05");
    const totals *t = &d->dept;
    w_row_begin(w, "unit", "dept", NULL, d->dept_name, 0);
    write_t05_cells(w, t->prev_initial, t->prev_adjusted, t->project, t->duty, t->special,
                    t->invest, NULL);
    w_row_end(w);
    for (size_t k = 0; k < d->nunits; k++) {
        const unit_plan *u = &d->units[k];
        t = &d->unit_totals[k];
        w_row_begin(w, "unit", u->id, NULL, u->name, 0);
        write_t05_cells(w, t->prev_initial, t->prev_adjusted, t->project, t->duty, t->special,
                        t->invest, NULL);
        w_row_end(w);
        for (size_t i = 0; i < u->nprojects; i++) {
            const project_plan *p = &u->projects[i];
            w_row_begin(w, "item", u->id, NULL, p->name, 0);
            write_t05_cells(w, p->prev_initial, p->prev_adjusted, p->total,
                            p->fund == FUND_DUTY ? p->total : 0,
                            p->fund == FUND_SPECIAL ? p->total : 0,
                            p->fund == FUND_INVEST ? p->total : 0, p->reason);
            w_row_end(w);
        }
    }
    w_table_end(w);
}

static void write_split_cells(writer *w, int64_t basic, int64_t project)
{
    w_cell_amount(w, "total", basic + project);
    w_cell_amount(w, "basic", basic);
    w_cell_amount(w, "project", project);
}

/* 表7 (functional) and 表8 (economic): the unit rows, then each unit's coded rows. */
static void write_coded(writer *w, const document *d, const char *id, int economic)
{
    const code_entry *codes = economic ? economic_codes : function_codes;
    size_t n = economic ? NECON : NFUNC;
    w_table_begin(w, d, id);
    w_row_begin(w, "unit", "dept", NULL, d->dept_name, 0);
    write_split_cells(w, d->dept.basic, d->dept.project);
    w_row_end(w);
    for (size_t k = 0; k < d->nunits; k++) {
        const unit_plan *u = &d->units[k];
        const int64_t *basic = economic ? u->econ_basic : u->func_basic;
        const int64_t *project = economic ? u->econ_project : u->func_project;
        w_row_begin(w, "unit", u->id, NULL, u->name, 0);
        write_split_cells(w, d->unit_totals[k].basic, d->unit_totals[k].project);
        w_row_end(w);
        for (size_t i = 0; i < n; i++) {
            if (basic[i] == 0 && project[i] == 0)
                continue;
            w_row_begin(w, "item", u->id, codes[i].code, codes[i].name, 0);
            write_split_cells(w, basic[i], project[i]);
            w_row_end(w);
        }
    }
    w_table_end(w);
}

/* One element of "units"; the department has no parent. */
static void write_unit(writer *w, const char *id, const char *name, const char *kind,
                       const char *parent)
{
    w_next(w);
    w_open(w, '{');
    w_key_string(w, "id", id);
    w_key_string(w, "name", name);
    w_key_string(w, "kind", kind);
    if (parent)
        w_key_string(w, "parent", parent);
    w_close(w, '}');
}

static void write_units(writer *w, const document *d)
{
    w_key(w, "units");
    w_open(w, '[');
    write_unit(w, "dept", d->dept_name, "department", NULL);
    for (size_t k = 0; k < d->nunits; k++)
        write_unit(w, d->units[k].id, d->units[k].name, d->units[k].self ? "self" : "subunit",
                   "dept");
    w_close(w, ']');
}

static void write_document(writer *w, const document *d)
{
    w_open(w, '{');
    w_key_string(w, "format", "budgetkit-budget");
    w_key_int(w, "version", 1);
    w_key_int(w, "fiscal_year", FISCAL_YEAR);
    w_key(w, "department");
    w_open(w, '{');
    w_key_string(w, "name", d->dept_name);
    w_key_string(w, "code", d->dept_code);
    w_close(w, '}');
    w_key_string(w, "money_unit", "万元");
    w_key_string(w, "currency", "CNY");
    w_key_int(w, "unit_mult", 4);
    w_key_int(w, "precision", 2);
    write_units(w, d);
    w_key(w, "tables");
    w_open(w, '[');
    write_t02(w, d);
    write_t04(w, d);
    write_t05(w, d);
    write_coded(w, d, "T07", 0);
    write_coded(w, d, "T08", 1);
    w_close(w, ']');
    w_close(w, '}');
    w_raw(w, "\n", 1);
}

/* The codes the generator uses, as a catalogue for `budgetkit validate --catalog` (the
 * catalogue shipped in formats/catalog lists only part of the 款 and 项 level). */
static int write_catalog(const char *path)
{
    static const char *const levels[] = {"", "", "", "类", "", "款", "", "项"};
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "budgetkit-bulkgen: cannot create %s: %s\n", path, strerror(errno));
        return -1;
    }
    fputs("scheme,code,name,level,source\n", f);
    for (size_t i = 0; i < NFUNC; i++)
        fprintf(f, "function,%s,%s,%s,bulkgen\n", function_codes[i].code, function_codes[i].name,
                levels[strlen(function_codes[i].code)]);
    for (size_t i = 0; i < NECON; i++)
        fprintf(f, "econ_dept,%s,%s,%s,bulkgen\n", economic_codes[i].code, economic_codes[i].name,
                levels[strlen(economic_codes[i].code)]);
    if (ferror(f) | (fclose(f) != 0)) {
        fprintf(stderr, "budgetkit-bulkgen: cannot write %s\n", path);
        remove(path);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Command line
 * ---------------------------------------------------------------------------------------- */

static const char usage[] =
    "Usage: budgetkit-bulkgen [--documents N | --cells N] [--seed S] [-o FILE | -d DIR] [-v]\n"
    "Write a bulk submission of department budgets as canonical JSON documents, one after\n"
    "another, for benchmarks and tests. The same options give the same bytes.\n"
    "\n"
    "  -n, --documents N  write N documents (default 100)\n"
    "  -c, --cells N      write documents until they hold at least N cells (about 1000-3000\n"
    "                     cells a document)\n"
    "  -s, --seed S       seed of the figures (default 1)\n"
    "  -o, --output FILE  write to FILE instead of standard output\n"
    "  -d, --directory DIR  write one file per document into DIR (created when missing):\n"
    "                     DIR/doc-000001.json, DIR/doc-000002.json...\n"
    "  --catalog FILE     also write the classification codes used, as a code catalogue for\n"
    "                     'budgetkit validate --catalog FILE'\n"
    "  -v, --verbose      print the documents, cells and bytes written to standard error\n"
    "  -h, --help         this help\n";

static int parse_count(const char *opt, const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-') {
        fprintf(stderr, "budgetkit-bulkgen: %s takes a non-negative integer, not '%s'\n", opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"documents", required_argument, 0, 'n'}, {"cells", required_argument, 0, 'c'},
        {"seed", required_argument, 0, 's'},      {"output", required_argument, 0, 'o'},
        {"directory", required_argument, 0, 'd'}, {"verbose", no_argument, 0, 'v'},
        {"catalog", required_argument, 0, 'C'},   {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    uint64_t documents = 100, cells = 0, seed = 1;
    const char *output = NULL, *directory = NULL, *catalog = NULL;
    int by_cells = 0, verbose = 0, opt;
    while ((opt = getopt_long(argc, argv, "n:c:s:o:d:vh", opts, NULL)) != -1) {
        switch (opt) {
        case 'n':
            if (parse_count("--documents", optarg, &documents))
                return 2;
            by_cells = 0;
            break;
        case 'c':
            if (parse_count("--cells", optarg, &cells))
                return 2;
            by_cells = 1;
            break;
        case 's':
            if (parse_count("--seed", optarg, &seed))
                return 2;
            break;
        case 'o': output = optarg; break;
        case 'd': directory = optarg; break;
        case 'C': catalog = optarg; break;
        case 'v': verbose = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (output && directory) {
        fprintf(stderr, "budgetkit-bulkgen: give either --output or --directory, not both\n");
        return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "budgetkit-bulkgen: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    find_parents(function_codes, NFUNC, func_parent);
    find_parents(economic_codes, NECON, econ_parent);
    if (catalog && write_catalog(catalog) != 0)
        return 2;

    writer *w = calloc(1, sizeof *w);
    document *d = malloc(sizeof *d);
    if (!w || !d) {
        fprintf(stderr, "budgetkit-bulkgen: out of memory\n");
        return 2;
    }
    if (directory && mkdir(directory, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "budgetkit-bulkgen: cannot create %s: %s\n", directory, strerror(errno));
        return 2;
    }
    w->f = stdout;
    if (!directory && output && strcmp(output, "-") != 0 && !(w->f = fopen(output, "wb"))) {
        fprintf(stderr, "budgetkit-bulkgen: cannot create %s: %s\n", output, strerror(errno));
        return 2;
    }
    char path[4096];
    uint64_t n = 0;
    for (; !w->failed && (by_cells ? w->cells < cells : n < documents); n++) {
        plan_document(d, seed, n);
        if (directory) {
            snprintf(path, sizeof path, "%s/doc-%06" PRIu64 ".json", directory, n + 1);
            if (!(w->f = fopen(path, "wb"))) {
                fprintf(stderr, "budgetkit-bulkgen: cannot create %s: %s\n", path, strerror(errno));
                w->failed = 2;
                break;
            }
        }
        write_document(w, d);
        if (directory) {
            w_flush(w);
            if (fclose(w->f) != 0 && !w->failed)
                w->failed = 1;
            w->f = NULL;
        }
    }
    if (!directory) {
        w_flush(w);
        if (w->f != stdout ? fclose(w->f) != 0 : fflush(stdout) != 0)
            w->failed = 1;
    }
    int rc = 0;
    if (w->failed) {
        if (w->failed == 1)
            fprintf(stderr, "budgetkit-bulkgen: cannot write %s: %s\n",
                    directory ? path : output ? output : "standard output", strerror(errno));
        if (!directory && output && strcmp(output, "-") != 0)
            remove(output);
        rc = 2;
    } else if (verbose) {
        fprintf(stderr, "budgetkit-bulkgen: %" PRIu64 " documents, %" PRIu64 " cells, %" PRIu64
                        " bytes\n", n, w->cells, w->bytes);
    }
    free(d);
    free(w);
    return rc;
}
