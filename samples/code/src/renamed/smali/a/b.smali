.class public La/b;
.super Ljava/lang/Object;
.source "SourceFile"

.field static a:Ljava/lang/String;

.method static constructor <clinit>()V
    .registers 1

    const-string v0, "{{CODE_CLINIT_API_SECRET}}"

    sput-object v0, La/b;->a:Ljava/lang/String;

    return-void
.end method

.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method
