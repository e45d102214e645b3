.class public final Lcom/leakdex/sample/storage/AzureBlobStore;
.super Ljava/lang/Object;
.source "AzureBlobStore.java"


# static fields
.field private static final CONTAINER:Ljava/lang/String; = "user-uploads"


# direct methods
.method public constructor <init>()V
    .registers 1

    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method

.method public static connectionString()Ljava/lang/String;
    .registers 1

    const-string v0, "{{AZURE_STORAGE_CONNECTION_STRING}}"

    return-object v0
.end method
