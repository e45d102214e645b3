.class public La/j;
.super Ljava/lang/Object;
.source "SourceFile"


# static fields
.field public static a:Ljava/lang/String;

.field public static b:Ljava/lang/String;

.field public static c:Ljava/lang/String;

.field public static d:Ljava/lang/String;


# direct methods
.method static constructor <clinit>()V
    .registers 1

    const-string v0, "YOUR_API_KEY"

    sput-object v0, La/j;->a:Ljava/lang/String;

    const-string v0, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

    sput-object v0, La/j;->b:Ljava/lang/String;

    const-string v0, "AKIAIOSFODNN7EXAMPLE"

    sput-object v0, La/j;->c:Ljava/lang/String;

    const-string v0, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

    sput-object v0, La/j;->d:Ljava/lang/String;

    return-void
.end method

.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method

.method public static a(Ljava/lang/String;)Z
    .registers 2

    const-string v0, "android.intent.action.VIEW"

    invoke-virtual {p0, v0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z

    move-result v0

    return v0
.end method

.method public static c(Ljava/lang/String;)Z
    .registers 2

    const-string v0, "{{CODE_DECOY_FLAG_HEX32}}"

    invoke-virtual {p0, v0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z

    move-result v0

    return v0
.end method

.method public static a()V
    .registers 2

    const-string v0, "LeakdexSync"

    const-string v1, "{{CODE_DECOY_LOG_ALNUM32}}"

    invoke-static {v0, v1}, Landroid/util/Log;->d(Ljava/lang/String;Ljava/lang/String;)I

    const-string v1, "{{CODE_DECOY_LOG_ALNUM25}}"

    invoke-static {v0, v1}, Landroid/util/Log;->d(Ljava/lang/String;Ljava/lang/String;)I

    return-void
.end method

.method public static b(Ljava/lang/String;)Z
    .registers 2

    const-string v0, "com.leakdex.LOGIN"

    invoke-virtual {v0, p0}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z

    move-result v0

    return v0
.end method

.method public static a(Landroid/content/SharedPreferences;)Ljava/lang/String;
    .registers 3

    const-string v0, "api_key"

    const/4 v1, 0x0

    invoke-interface {p0, v0, v1}, Landroid/content/SharedPreferences;->getString(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;

    move-result-object v0

    const-string v1, "client_secret"

    invoke-interface {p0, v1, v0}, Landroid/content/SharedPreferences;->getString(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;

    move-result-object v0

    return-object v0
.end method

.method public static a(Landroid/widget/TextView;Landroid/widget/TextView;Landroid/widget/TextView;)V
    .registers 4

    const-string v0, "{{CODE_DECOY_UI_ALNUM50}}"

    invoke-virtual {p0, v0}, Landroid/widget/TextView;->setText(Ljava/lang/CharSequence;)V

    const-string v0, "{{CODE_DECOY_UI_HEX32}}"

    invoke-virtual {p1, v0}, Landroid/widget/TextView;->setText(Ljava/lang/CharSequence;)V

    const-string v0, "{{CODE_DECOY_UI_B64_40}}"

    invoke-virtual {p2, v0}, Landroid/widget/TextView;->setText(Ljava/lang/CharSequence;)V

    return-void
.end method
